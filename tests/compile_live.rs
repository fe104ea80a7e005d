//! Compiled filters on the running kernel: each case forks a child that
//! sets no_new_privs, installs a `compile`d policy with `seccomp(2)` and
//! makes one real system call (raw, numbers from libc, not from this
//! crate's tables). The child reports the call's result through a
//! `MAP_SHARED` page; a kill shows in its wait status. Every observed
//! outcome is compared with what `Policy::evaluate` says for that call.
//!
//! Runs natively (x86_64) and as an i386 binary on the same kernel:
//! `cargo test --target i686-unknown-linux-musl --test compile_live`.

#![cfg(target_os = "linux")]

mod podman;

use std::hint::black_box;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use seccomp_bpf::bpf::{SockFilter, SockFprog};
use seccomp_bpf::policy::{Cond, Policy, Rule};
use seccomp_bpf::{Abi, Action, Filter, Syscall, compile};

// ---------------------------------------------------------------------------
// The child and what it reports.

/// What a call did, as the parent saw it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Seen {
    /// It returned this non-negative value.
    Returned(i64),
    /// It failed with this errno.
    Failed(i32),
    /// The child died of this signal before reporting.
    Killed(i32),
    /// The filter was refused with this errno (nothing was called).
    NotInstalled(i32),
}

impl Seen {
    /// Whether this is what `action` makes of a call that, unfiltered,
    /// does `unfiltered`.
    fn matches(self, action: Action, unfiltered: Seen) -> bool {
        match action {
            Action::Allow | Action::Log => match (self, unfiltered) {
                (Seen::Returned(_), Seen::Returned(_)) => true,
                (a, b) => a == b,
            },
            Action::Errno(e) => self == Seen::Failed(i32::from(e)),
            Action::KillProcess | Action::KillThread => self == Seen::Killed(libc::SIGSYS),
            _ => false,
        }
    }
}

/// A shared anonymous page: [0] state (0 running, 1 reported, 2 filter
/// refused), [1] return value, [2] errno.
struct Page(*mut AtomicI64);

impl Page {
    fn new() -> Page {
        // SAFETY: a fresh anonymous shared mapping, checked for failure.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED, "mmap");
        Page(p.cast())
    }
    fn slot(&self, i: usize) -> &AtomicI64 {
        assert!(i < 3);
        // SAFETY: in bounds of the page, 8-aligned, only accessed
        // atomically (the child writes, the parent reads after it stopped).
        unsafe { &*self.0.add(i) }
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`; no reference outlives self.
        unsafe { libc::munmap(self.0.cast(), 4096) };
    }
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, 0, prog)`: 0 or the errno.
fn install(prog: &[SockFilter]) -> i32 {
    let Some(fprog) = SockFprog::new(prog) else {
        return libc::EINVAL;
    };
    // SAFETY: the kernel reads `fprog` and the instructions it points at,
    // both alive for the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            1 as libc::c_long, // SECCOMP_SET_MODE_FILTER
            0 as libc::c_long,
            &fprog as *const SockFprog<'_>,
        )
    };
    if r == 0 { 0 } else { errno() }
}

/// A system call the child makes.
type Call = fn() -> i64;

/// Forks a child that installs `prog` (none: unfiltered), makes `call` and
/// reports; returns what happened. The child makes no call but the raw
/// ones (no allocation, no locks) between fork and `_exit`.
fn run(prog: Option<&[SockFilter]>, call: Call) -> Seen {
    let page = Page::new();
    // SAFETY: the child only makes raw system calls, writes atomics in the
    // shared page and leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        // SAFETY: prctl with integer arguments; no core files from SIGSYS.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                libc::_exit(3);
            }
        }
        if let Some(prog) = prog {
            let e = install(prog);
            if e != 0 {
                page.slot(2).store(i64::from(e), Ordering::SeqCst);
                page.slot(0).store(2, Ordering::SeqCst);
                // SAFETY: leaving the child.
                unsafe { libc::_exit(4) };
            }
        }
        let r = call();
        let e = if r < 0 { errno() } else { 0 };
        page.slot(1).store(r, Ordering::SeqCst);
        page.slot(2).store(i64::from(e), Ordering::SeqCst);
        page.slot(0).store(1, Ordering::SeqCst);
        // SAFETY: leaving the child (the policy may refuse exit_group; the
        // parent kills the child once it has reported).
        unsafe { libc::_exit(0) };
    }
    let start = Instant::now();
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child.
        let w = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if w == pid {
            break;
        }
        if page.slot(0).load(Ordering::SeqCst) != 0 || start.elapsed() > Duration::from_secs(20) {
            // Reported (or stuck): kill and reap.
            // SAFETY: our own child, not yet reaped.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    match page.slot(0).load(Ordering::SeqCst) {
        1 => {
            let r = page.slot(1).load(Ordering::SeqCst);
            if r < 0 {
                Seen::Failed(page.slot(2).load(Ordering::SeqCst) as i32)
            } else {
                Seen::Returned(r)
            }
        }
        2 => Seen::NotInstalled(page.slot(2).load(Ordering::SeqCst) as i32),
        _ if libc::WIFSIGNALED(status) => Seen::Killed(libc::WTERMSIG(status)),
        _ => panic!("child neither reported nor was killed: status {status:#x}"),
    }
}

/// Runs `call` under `prog` and checks the outcome is what `policy` says
/// for `(abi, nr, args)`; where the policy allows the call, also runs it
/// unfiltered, and the two must end alike. Returns what it saw.
fn check(
    what: &str,
    prog: &[SockFilter],
    policy: &Policy<'_>,
    (abi, nr, args): (Abi, u32, [u64; 6]),
    call: Call,
) -> Seen {
    let want = policy.evaluate(abi, nr, &args).expect("policy evaluates");
    // Only allowed calls run unfiltered: the others (kexec_load...) are
    // not for the test machine.
    let unfiltered = match want {
        Action::Allow | Action::Log => run(None, call),
        _ => Seen::Returned(0),
    };
    let seen = run(Some(prog), call);
    assert!(
        seen.matches(want, unfiltered),
        "{what}: {abi} nr {nr:#x} args {:x?}: policy says {want}, kernel did {seen:?} \
         (unfiltered: {unfiltered:?})",
        &args[..4]
    );
    println!(
        "{what}: {abi} nr {nr:#x} args {:x?}: {want} -> {seen:?}",
        &args[..4]
    );
    seen
}

fn native() -> Abi {
    Abi::NATIVE.expect("a native ABI")
}

/// A raw call through libc's `syscall` (the native ABI), with four
/// arguments (the rest are whatever the registers hold).
fn sys(nr: libc::c_long, a: [libc::c_long; 3]) -> i64 {
    sys4(nr, [a[0], a[1], a[2], 0])
}

// c_long is i64 here but i32 on i386.
#[allow(clippy::useless_conversion)]
fn sys4(nr: libc::c_long, a: [libc::c_long; 4]) -> i64 {
    // SAFETY: only called with calls that take integer arguments or none
    // (pointer arguments are NULL, which the kernel checks).
    i64::from(unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3]) })
}

fn nr(call: libc::c_long) -> u32 {
    call as u32
}

// ---------------------------------------------------------------------------
// A small policy, const and at run time.

const NATIVE: [Abi; 1] = [match Abi::NATIVE {
    Some(a) => a,
    None => panic!("no native ABI"),
}];

const C_PGID: [Cond; 1] = [Cond::eq(0, 0).low32()];
const C_SID: [Cond; 1] = [Cond::eq(0, 0)];
const SMALL_RULES: [Rule; 9] = [
    Rule::new(Syscall::exit_group, Action::Allow),
    Rule::new(Syscall::exit, Action::Allow),
    Rule::new(Syscall::getpid, Action::Allow),
    Rule::new(Syscall::getppid, Action::Errno(13)),
    Rule::new(Syscall::getuid, Action::KillProcess),
    // getpgid(0) fails with ERRNO(71) whatever the upper half holds;
    // getsid(0) fails with ERRNO(72) only when the whole register is 0.
    Rule::when(Syscall::getpgid, &C_PGID, Action::Errno(71)),
    Rule::new(Syscall::getpgid, Action::Allow),
    Rule::when(Syscall::getsid, &C_SID, Action::Errno(72)),
    Rule::new(Syscall::getsid, Action::Allow),
];
const SMALL: Policy = Policy::new(Action::Errno(38), &NATIVE, &SMALL_RULES);
const SMALL_CONST: Filter<64> = Filter::new_or_panic(&SMALL);

fn small_cases(what: &str, prog: &[SockFilter]) {
    let abi = native();
    let p = &SMALL;
    let c = |n: libc::c_long, args: [u64; 6]| (abi, nr(n), args);
    let getpid = check(what, prog, p, c(libc::SYS_getpid, [0; 6]), || {
        sys(libc::SYS_getpid, [0; 3])
    });
    assert!(matches!(getpid, Seen::Returned(pid) if pid > 0));
    check(what, prog, p, c(libc::SYS_getppid, [0; 6]), || {
        sys(libc::SYS_getppid, [0; 3])
    });
    check(what, prog, p, c(libc::SYS_getuid, [0; 6]), || {
        sys(libc::SYS_getuid, [0; 3])
    });
    // Default: ENOSYS for a call no rule names.
    check(what, prog, p, c(libc::SYS_sched_yield, [0; 6]), || {
        sys(libc::SYS_sched_yield, [0; 3])
    });
    // Argument conditions, holding and not.
    check(what, prog, p, c(libc::SYS_getpgid, [0; 6]), || {
        sys(libc::SYS_getpgid, [0; 3])
    });
    let pgid = check(
        what,
        prog,
        p,
        c(libc::SYS_getpgid, [1, 0, 0, 0, 0, 0]),
        || sys(libc::SYS_getpgid, [1, 0, 0]),
    );
    assert!(matches!(pgid, Seen::Returned(_)), "{pgid:?}");
    check(what, prog, p, c(libc::SYS_getsid, [0; 6]), || {
        sys(libc::SYS_getsid, [0; 3])
    });
    check(
        what,
        prog,
        p,
        c(libc::SYS_getsid, [1, 0, 0, 0, 0, 0]),
        || sys(libc::SYS_getsid, [1, 0, 0]),
    );
    // The upper half of a 64-bit register: Low32 ignores it, Full64 sees
    // it (the kernel then runs getsid(0), as it ignores the upper half of
    // a pid_t). i386 registers have no upper half.
    #[cfg(target_pointer_width = "64")]
    {
        let high = 1u64 << 32;
        let pg = check(
            what,
            prog,
            p,
            c(libc::SYS_getpgid, [high, 0, 0, 0, 0, 0]),
            || sys(libc::SYS_getpgid, [1 << 32, 0, 0]),
        );
        assert_eq!(pg, Seen::Failed(71));
        let sid = check(
            what,
            prog,
            p,
            c(libc::SYS_getsid, [high, 0, 0, 0, 0, 0]),
            || sys(libc::SYS_getsid, [1 << 32, 0, 0]),
        );
        assert!(matches!(sid, Seen::Returned(_)), "{sid:?}");
    }
}

#[test]
fn const_filter_on_the_kernel() {
    small_cases("const", &SMALL_CONST);
}

#[test]
fn runtime_filter_on_the_kernel() {
    let f = compile::<64>(black_box(&SMALL)).expect("compiles");
    assert_eq!(&f[..], &SMALL_CONST[..], "const and run-time agree");
    small_cases("run time", &f);
}

// ---------------------------------------------------------------------------
// Podman's profile.

const PODMAN_NATIVE: Policy = podman::X86_64.with_abis(&NATIVE);
const PODMAN_CONST: Filter<1024> = Filter::new_or_panic(&PODMAN_NATIVE);

fn podman_cases(what: &str, prog: &[SockFilter], p: &Policy<'_>) {
    let abi = native();
    let c = |n: libc::c_long, args: [u64; 6]| (abi, nr(n), args);
    check(what, prog, p, c(libc::SYS_getpid, [0; 6]), || {
        sys(libc::SYS_getpid, [0; 3])
    });
    // kexec_load: EPERM. Were it let through, 1000 segments (more than
    // KEXEC_SEGMENT_MAX) would make the kernel refuse it with EINVAL.
    let kexec = check(
        what,
        prog,
        p,
        c(libc::SYS_kexec_load, [0, 1000, 0, 0, 0, 0]),
        || sys4(libc::SYS_kexec_load, [0, 1000, 0, 0]),
    );
    assert_eq!(kexec, Seen::Failed(libc::EPERM));
    // socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT): EINVAL, the rule with
    // two conditions; the same family with another protocol is allowed.
    let (nl, raw, audit) = (
        libc::AF_NETLINK as u64,
        libc::SOCK_RAW as u64,
        libc::NETLINK_AUDIT as u64,
    );
    let s = check(
        what,
        prog,
        p,
        c(libc::SYS_socket, [nl, raw, audit, 0, 0, 0]),
        || {
            sys(
                libc::SYS_socket,
                [libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_AUDIT].map(libc::c_long::from),
            )
        },
    );
    assert_eq!(s, Seen::Failed(libc::EINVAL));
    let route = libc::NETLINK_ROUTE as u64;
    let s = check(
        what,
        prog,
        p,
        c(libc::SYS_socket, [nl, raw, route, 0, 0, 0]),
        || {
            sys(
                libc::SYS_socket,
                [libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_ROUTE].map(libc::c_long::from),
            )
        },
    );
    assert!(matches!(s, Seen::Returned(_)), "{s:?}");
    // personality: the query (0xffffffff) is allowed, other values are not.
    let q = check(
        what,
        prog,
        p,
        c(libc::SYS_personality, [0xffff_ffff, 0, 0, 0, 0, 0]),
        || {
            sys(
                libc::SYS_personality,
                [0xffff_ffff_u32 as libc::c_long, 0, 0],
            )
        },
    );
    assert!(matches!(q, Seen::Returned(_)), "{q:?}");
    let other = check(
        what,
        prog,
        p,
        c(libc::SYS_personality, [0x1234, 0, 0, 0, 0, 0]),
        || sys(libc::SYS_personality, [0x1234, 0, 0]),
    );
    assert_eq!(other, Seen::Failed(libc::ENOSYS));
    // A number no kernel has: the default, ENOSYS.
    let unknown = check(what, prog, p, (abi, 0x3f0, [0; 6]), || sys(0x3f0, [0; 3]));
    assert_eq!(unknown, Seen::Failed(libc::ENOSYS));
}

#[test]
fn podman_const_filter_on_the_kernel() {
    podman_cases("podman const", &PODMAN_CONST, &PODMAN_NATIVE);
}

#[test]
fn podman_runtime_filter_on_the_kernel() {
    let f = compile::<1024>(black_box(&PODMAN_NATIVE)).expect("compiles");
    podman_cases("podman run time", &f, &PODMAN_NATIVE);
}

// ---------------------------------------------------------------------------
// Foreign ABIs on x86_64: i386 through int 0x80, and x32.

#[cfg(target_arch = "x86_64")]
mod x86_64 {
    use super::*;

    const X86_64_ONLY: Filter<1024> = Filter::new_or_panic(&podman::X86_64);
    const X86_FAMILY: Filter<1024> = Filter::new_or_panic(&podman::X86_FAMILY);

    /// i386 getpid (20) through `int 0x80` from this 64-bit process.
    fn int80_getpid() -> i64 {
        let mut ret: i64 = 20;
        // SAFETY: int 0x80 with eax = 20 (i386 getpid) takes no argument
        // and writes only eax; the kernel preserves the other registers
        // (r8-r11 are zeroed on entry, hence the clobbers).
        unsafe {
            core::arch::asm!(
                "int 0x80",
                inout("rax") ret,
                out("r8") _, out("r9") _, out("r10") _, out("r11") _,
                options(nostack)
            );
        }
        // eax holds a 32-bit value: sign-extend it.
        let ret = ret as i32 as i64;
        if ret < 0 {
            // Mimic libc: negative errno in the register.
            // SAFETY: writing the calling thread's errno.
            unsafe { *libc::__errno_location() = -ret as i32 };
            -1
        } else {
            ret
        }
    }

    /// x32 getpid: the x86_64 call number with the x32 bit.
    fn x32_getpid() -> i64 {
        sys(0x4000_0000 | libc::SYS_getpid, [0; 3])
    }

    #[test]
    fn int80_is_killed_without_x86_and_runs_with_it() {
        let unfiltered = run(None, int80_getpid);
        if !matches!(unfiltered, Seen::Returned(_)) {
            println!("int 0x80 does not work on this kernel ({unfiltered:?}): skipped");
            return;
        }
        let call = (Abi::X86, 20, [0; 6]);
        let seen = check(
            "int 0x80, x86_64 only",
            &X86_64_ONLY,
            &podman::X86_64,
            call,
            int80_getpid,
        );
        assert_eq!(seen, Seen::Killed(libc::SIGSYS));
        let seen = check(
            "int 0x80, x86 family",
            &X86_FAMILY,
            &podman::X86_FAMILY,
            call,
            int80_getpid,
        );
        assert!(matches!(seen, Seen::Returned(_)), "{seen:?}");
    }

    #[test]
    fn x32_calls_are_killed_without_x32() {
        let call = (Abi::X86_64, 0x4000_0000 | 39, [0; 6]);
        let seen = check(
            "x32 getpid, x86_64 only",
            &X86_64_ONLY,
            &podman::X86_64,
            call,
            x32_getpid,
        );
        assert_eq!(seen, Seen::Killed(libc::SIGSYS));
        // With x32 listed it is allowed: what the kernel then does depends
        // on CONFIG_X86_X32_ABI (the pid, or ENOSYS), as unfiltered.
        check(
            "x32 getpid, x86 family",
            &X86_FAMILY,
            &podman::X86_FAMILY,
            call,
            x32_getpid,
        );
    }

    /// A caller that sign-extends an `int` -1 (musl does) puts
    /// 0xffff_ffff_ffff_ffff in the register: podman's full-width
    /// `personality(0xffffffff)` rule then does not match, a `Low32` one
    /// does.
    #[test]
    fn sign_extended_ints_need_low32() {
        let call = (Abi::X86_64, 135, [u64::MAX, 0, 0, 0, 0, 0]);
        let personality = || sys(libc::SYS_personality, [-1, 0, 0]);
        let seen = check(
            "personality(-1), podman",
            &X86_64_ONLY,
            &podman::X86_64,
            call,
            personality,
        );
        assert_eq!(seen, Seen::Failed(libc::ENOSYS));
        const RULES: [Rule; 2] = [
            Rule::new(Syscall::exit_group, Action::Allow),
            Rule::when(
                Syscall::personality,
                &[Cond::eq(0, 0xffff_ffff).low32()],
                Action::Allow,
            ),
        ];
        const LOW: Policy = Policy::new(Action::Errno(38), &[Abi::X86_64], &RULES);
        let prog = compile::<64>(&LOW).expect("compiles");
        let seen = check("personality(-1), Low32", &prog, &LOW, call, personality);
        assert!(matches!(seen, Seen::Returned(_)), "{seen:?}");
    }

    const X32_ABIS: [Abi; 2] = [Abi::X86_64, Abi::X32];
    const X32_RULES: [Rule; 3] = [
        Rule::new(Syscall::exit_group, Action::Allow),
        Rule::when(Syscall::getpgid, &[Cond::eq(0, 1 << 32)], Action::Errno(77)),
        Rule::new(Syscall::getpgid, Action::Allow),
    ];
    const X32_POLICY: Policy = Policy::new(Action::Errno(38), &X32_ABIS, &X32_RULES);

    /// The kernel hands an x32 call's full 64-bit registers to the filter
    /// (so `Full64` on x32 compares 64 bits, as `Policy` models it).
    #[test]
    fn x32_calls_show_the_filter_whole_registers() {
        let prog = compile::<64>(&X32_POLICY).expect("compiles");
        let getpgid = 0x4000_0000 | libc::SYS_getpgid as u32;
        let call = (Abi::X32, getpgid, [1 << 32, 0, 0, 0, 0, 0]);
        let seen = check("x32 getpgid(1 << 32)", &prog, &X32_POLICY, call, || {
            sys(0x4000_0000 | libc::SYS_getpgid, [1 << 32, 0, 0])
        });
        assert_eq!(seen, Seen::Failed(77));
        // And the other way: an x86_64 call with the same register.
        let call = (
            Abi::X86_64,
            libc::SYS_getpgid as u32,
            [1 << 32, 0, 0, 0, 0, 0],
        );
        let seen = check("x86_64 getpgid(1 << 32)", &prog, &X32_POLICY, call, || {
            sys(libc::SYS_getpgid, [1 << 32, 0, 0])
        });
        assert_eq!(seen, Seen::Failed(77));
    }
}
