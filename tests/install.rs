//! The install API against the running kernel. Every case runs in a forked
//! child (a filter cannot be removed), which reports through its exit
//! status or a MAP_SHARED page, since its syscalls may be filtered.

use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::install::{self, FilterFlags, FlagConflict, InstallError};
use seccomp_bpf::sys::{self, Errno};
use seccomp_bpf::{Abi, Action, SeccompData, data};
use std::sync::Mutex;

/// Forks are serialized so no other test thread holds a lock the child needs.
static FORK: Mutex<()> = Mutex::new(());

/// A page shared with the child: a failure message and two numbers.
struct Report {
    msg: [u8; 200],
    len: usize,
    a: i64,
    b: i64,
}

fn shared() -> &'static mut Report {
    // SAFETY: a fresh anonymous shared mapping, zero-filled, big enough.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        assert_ne!(p, libc::MAP_FAILED);
        &mut *(p as *mut Report)
    }
}

/// How a child ended.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum End {
    Exit(i32),
    Signal(i32),
}

/// Runs `f` in a forked child; returns how it ended and the report. A
/// child's failure is `fail(report, "message", a, b)` and a non-zero exit.
fn in_child(f: impl FnOnce(&mut Report) -> i32) -> (End, &'static Report) {
    let report = shared();
    let _guard = FORK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the child only runs `f` and exits without unwinding.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(report))).unwrap_or(101);
        // SAFETY: ends the child at once, without running the parent's atexit.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for our own child.
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid);
    let end = if libc::WIFEXITED(status) {
        End::Exit(libc::WEXITSTATUS(status))
    } else {
        End::Signal(libc::WTERMSIG(status))
    };
    (end, report)
}

fn fail(r: &mut Report, msg: &str, a: i64, b: i64) -> i32 {
    let n = msg.len().min(r.msg.len());
    r.msg[..n].copy_from_slice(&msg.as_bytes()[..n]);
    r.len = n;
    r.a = a;
    r.b = b;
    1
}

/// Runs `f` in a child and panics with its report unless it exited 0.
fn child_ok(f: impl FnOnce(&mut Report) -> i32) {
    let (end, r) = in_child(f);
    let msg = String::from_utf8_lossy(&r.msg[..r.len]);
    assert_eq!(end, End::Exit(0), "child: {msg} ({}, {})", r.a, r.b);
}

/// Checks inside a child: report and return on failure.
macro_rules! check {
    ($r:expr, $cond:expr, $a:expr, $b:expr) => {
        if !$cond {
            return fail(
                $r,
                concat!(file!(), ":", line!(), ": ", stringify!($cond)),
                $a as i64,
                $b as i64,
            );
        }
    };
    ($r:expr, $cond:expr) => {
        check!($r, $cond, 0, 0)
    };
}

fn getppid_nr() -> u32 {
    sys::nr::GETPPID as u32
}

fn native() -> Abi {
    Abi::NATIVE.expect("the tests run on a known ABI")
}

/// `getppid` -> `action`, everything else ALLOW (arch checked first).
fn on_getppid(action: Action) -> [SockFilter; 7] {
    [
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(native().audit_arch(), 1, 0),
        bpf::ret_k(Action::Allow.to_ret()),
        bpf::ld_abs(data::NR),
        bpf::jeq_k(getppid_nr(), 0, 1),
        bpf::ret_k(action.to_ret()),
        bpf::ret_k(Action::Allow.to_ret()),
    ]
}

/// `nr` (and, if given, its first argument == `arg0`) -> `action`.
fn on_call(nr: usize, arg0: Option<u32>, action: Action) -> Vec<SockFilter> {
    let mut p = vec![
        bpf::ld_abs(data::ARCH),
        bpf::jeq_k(native().audit_arch(), 1, 0),
        bpf::ret_k(Action::Allow.to_ret()),
        bpf::ld_abs(data::NR),
    ];
    match arg0 {
        None => p.extend([bpf::jeq_k(nr as u32, 0, 1)]),
        Some(v) => p.extend([
            bpf::jeq_k(nr as u32, 0, 3),
            bpf::ld_abs(data::arg_lo(0, seccomp_bpf::ByteOrder::NATIVE)),
            bpf::jeq_k(v, 0, 1),
        ]),
    }
    p.extend([
        bpf::ret_k(action.to_ret()),
        bpf::ret_k(Action::Allow.to_ret()),
    ]);
    p
}

const ALLOW_ALL: [SockFilter; 1] = [bpf::ret_k(0x7fff_0000)];

/// getppid through libc, as -errno on failure.
fn getppid_result() -> i64 {
    // SAFETY: a plain system call without pointers.
    let r = unsafe { libc::syscall(libc::SYS_getppid) };
    if r < 0 {
        -(std::io::Error::last_os_error().raw_os_error().unwrap_or(0) as i64)
    } else {
        r as i64
    }
}

fn status_field(name: &str) -> Option<String> {
    let s = std::fs::read_to_string("/proc/thread-self/status").ok()?;
    s.lines().find_map(|l| {
        l.strip_prefix(name)
            .map(|v| v.trim_start_matches(':').trim().to_string())
    })
}

fn filters_in_effect() -> i64 {
    status_field("Seccomp_filters")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1)
}

#[test]
fn no_new_privs_is_set_and_read_back() {
    child_ok(|r| {
        let before = status_field("NoNewPrivs").unwrap_or_default() == "1";
        check!(r, install::no_new_privs() == Ok(before));
        check!(r, install::set_no_new_privs().is_ok());
        check!(r, install::no_new_privs() == Ok(true));
        check!(r, status_field("NoNewPrivs").as_deref() == Some("1"));
        0
    });
}

#[test]
fn a_filter_takes_effect() {
    child_ok(|r| {
        check!(r, install::set_no_new_privs().is_ok());
        let before = filters_in_effect();
        let res = install::install(&on_getppid(Action::Errno(7)), FilterFlags::empty());
        check!(r, res.is_ok());
        check!(
            r,
            filters_in_effect() == before + 1,
            filters_in_effect(),
            before
        );
        check!(r, getppid_result() == -7, getppid_result(), -7);
        0
    });
}

#[test]
fn each_flag_is_accepted() {
    use FilterFlags as F;
    for flag in [F::TSYNC, F::LOG, F::SPEC_ALLOW, F::TSYNC_ESRCH] {
        child_ok(|r| {
            check!(r, install::set_no_new_privs().is_ok());
            let res = install::install(&on_getppid(Action::Errno(9)), flag);
            check!(r, res.is_ok(), flag.bits(), 0);
            check!(r, getppid_result() == -9, flag.bits(), getppid_result());
            0
        });
    }
    for flag in [
        F::NEW_LISTENER,
        F::WAIT_KILLABLE_RECV,
        F::TSYNC | F::TSYNC_ESRCH,
    ] {
        child_ok(|r| {
            check!(r, install::set_no_new_privs().is_ok());
            let res = install::install_listener(&on_getppid(Action::Errno(9)), flag);
            check!(r, res.is_ok(), flag.bits(), 0);
            check!(r, res.as_ref().map(|l| l.as_raw_fd() >= 0).unwrap_or(false));
            check!(r, getppid_result() == -9, flag.bits(), getppid_result());
            0
        });
    }
}

#[test]
fn spec_allow_keeps_the_speculation_setting() {
    child_ok(|r| {
        check!(r, install::set_no_new_privs().is_ok());
        let before = status_field("Speculation_Store_Bypass");
        check!(
            r,
            install::install(&ALLOW_ALL, FilterFlags::SPEC_ALLOW).is_ok()
        );
        check!(r, status_field("Speculation_Store_Bypass") == before);
        0
    });
}

#[test]
fn log_flag_is_known_to_the_kernel() {
    // LOG's effect (audit records) is not observable here; that the kernel
    // knows the flag and accepts the filter is.
    assert_eq!(install::flag_known(FilterFlags::LOG), Ok(true));
}

#[test]
fn unverified_program_is_refused_before_the_kernel() {
    // No fork needed: nothing can be installed.
    let before = filters_in_effect();
    for prog in [&[][..], &[bpf::ld_abs(2)][..], &[bpf::ld_abs(0)][..]] {
        assert!(matches!(
            install::install(prog, FilterFlags::empty()),
            Err(InstallError::Verify(_))
        ));
    }
    // Even a program that would be EACCES (no no_new_privs here, maybe) is
    // refused first, and nothing reached the kernel.
    assert_eq!(filters_in_effect(), before);
}

#[test]
fn eacces_without_no_new_privs_or_cap_sys_admin() {
    child_ok(|r| {
        // SAFETY: drops to nobody; the child's own credentials only.
        let rc = unsafe { libc::setresuid(65534, 65534, 65534) };
        check!(r, rc == 0);
        check!(r, install::no_new_privs() == Ok(false));
        let res = install::install(&ALLOW_ALL, FilterFlags::empty());
        check!(r, res == Err(InstallError::Access));
        // Setting no_new_privs is the fix the error names.
        check!(r, install::set_no_new_privs().is_ok());
        check!(
            r,
            install::install(&ALLOW_ALL, FilterFlags::empty()).is_ok()
        );
        0
    });
}

#[test]
fn refused_combinations_are_caught_before_the_kernel_and_match_it() {
    use FilterFlags as F;
    // The kernel refuses them too (probe), so the pre-check is faithful.
    assert_eq!(install::flag_known(F::TSYNC | F::NEW_LISTENER), Ok(false));
    assert_eq!(install::flag_known(F::WAIT_KILLABLE_RECV), Ok(false));
    assert_eq!(
        install::flag_known(F::TSYNC | F::NEW_LISTENER | F::TSYNC_ESRCH),
        Ok(true)
    );
    assert_eq!(
        install::install_listener(&ALLOW_ALL, F::TSYNC).map(|_| ()),
        Err(InstallError::Flags(FlagConflict::TsyncListenerWithoutEsrch))
    );
    assert_eq!(
        install::install(&ALLOW_ALL, F::WAIT_KILLABLE_RECV),
        Err(InstallError::Flags(
            FlagConflict::KillableRecvWithoutListener
        ))
    );
    assert_eq!(
        install::install(&ALLOW_ALL, F::NEW_LISTENER),
        Err(InstallError::Flags(
            FlagConflict::ListenerNeedsInstallListener
        ))
    );
}

#[test]
fn unknown_flag_is_einval_from_the_kernel() {
    child_ok(|r| {
        check!(r, install::set_no_new_privs().is_ok());
        let flags = FilterFlags::from_bits_retain(1 << 30);
        check!(r, install::flag_known(flags) == Ok(false));
        check!(
            r,
            install::install(&ALLOW_ALL, flags) == Err(InstallError::Invalid { flags })
        );
        check!(r, filters_in_effect() == 0, filters_in_effect(), 0);
        0
    });
}

/// `n` loads then RET ALLOW: charged 3 + n + 2, cost n + 9.
fn loads(n: usize) -> Vec<SockFilter> {
    let mut p = vec![bpf::ld_abs(data::NR); n];
    p.push(bpf::ret_k(Action::Allow.to_ret()));
    p
}

#[test]
fn enomem_when_the_chain_budget_is_exhausted_exactly() {
    child_ok(|r| {
        check!(r, install::set_no_new_privs().is_ok());
        check!(r, filters_in_effect() == 0, filters_in_effect(), 0);
        // A filter with every cost rule: negative-k jump, jt == 0, both
        // offsets set, RET A, DIV X, JA.
        let mixed = [
            bpf::ld_abs(data::ARCH),
            bpf::jeq_k(0xC000_003E, 1, 0),       // 1 + 1 (k < 0)
            bpf::ja(0),                          // 1
            bpf::ldx_imm(3),                     // 1
            bpf::ld_abs(data::NR),               // 1
            bpf::jgt_k(5, 0, 1),                 // 1 (jt == 0)
            bpf::jset_k(1, 1, 1),                // 2
            bpf::ld_imm(0),                      // 1
            bpf::alu_x(bpf::op::DIV),            // 5
            bpf::ld_imm(Action::Allow.to_ret()), // 1
            bpf::ret_a(),                        // 1
        ];
        check!(r, install::install(&mixed, FilterFlags::empty()).is_ok());
        check!(
            r,
            install::installed_cost() == 3 + 17 + 4,
            install::installed_cost(),
            24
        );
        // Seven of the largest loads-only programs.
        let big = loads(4095);
        let mut n = 0;
        while install::installed_cost() + 4104 <= 32768 {
            let res = install::install(&big, FilterFlags::empty());
            check!(r, res.is_ok(), n, install::installed_cost());
            n += 1;
        }
        // Fill to exactly the budget, then one more costs ENOMEM.
        let left = 32768 - install::installed_cost() as usize;
        check!(r, left >= 10, left, 0);
        check!(
            r,
            install::install(&loads(left - 9), FilterFlags::empty()).is_ok(),
            left,
            0
        );
        check!(
            r,
            install::installed_cost() == 32768,
            install::installed_cost(),
            0
        );
        let res = install::install(&ALLOW_ALL, FilterFlags::empty());
        let want = InstallError::NoMemory {
            filter: 9,
            installed: 32768,
        };
        check!(r, res == Err(want), install::installed_cost(), n);
        0
    });
}

#[test]
fn ebusy_for_a_second_listener() {
    child_ok(|r| {
        check!(r, install::set_no_new_privs().is_ok());
        let first = install::install_listener(&ALLOW_ALL, FilterFlags::empty());
        check!(r, first.is_ok());
        let second = install::install_listener(&ALLOW_ALL, FilterFlags::empty());
        check!(r, matches!(second, Err(InstallError::Busy)));
        // A filter without a listener still stacks.
        check!(
            r,
            install::install(&ALLOW_ALL, FilterFlags::empty()).is_ok()
        );
        0
    });
}

#[test]
fn prctl_fallback_when_seccomp_answers_enosys() {
    // A first filter makes seccomp(2) answer ENOSYS, as an old kernel does.
    let no_seccomp = on_call(
        sys::nr::SECCOMP,
        None,
        Action::Errno(Errno::ENOSYS.raw() as u16),
    );
    child_ok(|r| {
        check!(r, install::set_no_new_privs().is_ok());
        check!(
            r,
            install::install(&no_seccomp, FilterFlags::empty()).is_ok()
        );
        // Flags need seccomp(2): no fallback, typed.
        let res = install::install(&ALLOW_ALL, FilterFlags::LOG);
        check!(
            r,
            res == Err(InstallError::Unsupported {
                seccomp: Errno::ENOSYS,
                prctl: None
            })
        );
        // Without flags the prctl path installs the same filter.
        let before = filters_in_effect();
        check!(
            r,
            install::install(&on_getppid(Action::Errno(6)), FilterFlags::empty()).is_ok()
        );
        check!(
            r,
            filters_in_effect() == before + 1,
            filters_in_effect(),
            before
        );
        check!(r, getppid_result() == -6, getppid_result(), -6);
        0
    });
    // And where prctl(PR_SET_SECCOMP) answers EINVAL too (as qemu-user
    // does), both answers are reported.
    let no_prctl = on_call(
        sys::nr::PRCTL,
        Some(sys::prctl::PR_SET_SECCOMP as u32),
        Action::Errno(Errno::EINVAL.raw() as u16),
    );
    child_ok(|r| {
        check!(r, install::set_no_new_privs().is_ok());
        check!(r, install::install(&no_prctl, FilterFlags::empty()).is_ok());
        check!(
            r,
            install::install(&no_seccomp, FilterFlags::empty()).is_ok()
        );
        let res = install::install(&ALLOW_ALL, FilterFlags::empty());
        let want = InstallError::Unsupported {
            seccomp: Errno::ENOSYS,
            prctl: Some(Errno::EINVAL),
        };
        check!(r, res == Err(want));
        0
    });
}

/// A thread that waits for `go`, then reports getppid's result.
fn spawn_waiter(
    go: std::sync::mpsc::Receiver<()>,
    extra: Option<Vec<SockFilter>>,
    tid_out: std::sync::mpsc::Sender<i32>,
) -> std::thread::JoinHandle<i64> {
    std::thread::spawn(move || {
        if let Some(p) = extra {
            install::install(&p, FilterFlags::empty()).expect("thread's own filter");
        }
        tid_out.send(sys::gettid()).unwrap();
        go.recv().unwrap();
        getppid_result()
    })
}

#[test]
fn tsync_reaches_every_thread() {
    child_ok(|r| {
        check!(r, install::set_no_new_privs().is_ok());
        let (go_tx, go_rx) = std::sync::mpsc::channel();
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        let t = spawn_waiter(go_rx, None, tid_tx);
        let _ = tid_rx.recv();
        let res = install::install(&on_getppid(Action::Errno(5)), FilterFlags::TSYNC);
        check!(r, res.is_ok());
        go_tx.send(()).unwrap();
        let got = t.join().unwrap_or(0);
        check!(r, got == -5, got, -5);
        0
    });
}

#[test]
fn tsync_names_the_diverged_thread() {
    for esrch in [false, true] {
        child_ok(|r| {
            check!(r, install::set_no_new_privs().is_ok());
            let (go_tx, go_rx) = std::sync::mpsc::channel();
            let (tid_tx, tid_rx) = std::sync::mpsc::channel();
            let own = on_getppid(Action::Errno(3)).to_vec();
            let t = spawn_waiter(go_rx, Some(own), tid_tx);
            let tid = tid_rx.recv().unwrap_or(-1);
            let mut flags = FilterFlags::TSYNC;
            if esrch {
                flags |= FilterFlags::TSYNC_ESRCH;
            }
            let res = install::install(&on_getppid(Action::Errno(5)), flags);
            if esrch {
                check!(r, res == Err(InstallError::TsyncEsrch));
            } else {
                check!(
                    r,
                    res == Err(InstallError::TsyncFailed { tid: tid as u32 }),
                    tid,
                    0
                );
            }
            // Nothing was installed anywhere: the thread keeps its own.
            check!(r, getppid_result() > 0, getppid_result(), 0);
            go_tx.send(()).unwrap();
            let got = t.join().unwrap_or(0);
            check!(r, got == -3, got, -3);
            0
        });
    }
}

#[repr(C)]
#[derive(Default)]
struct Notif {
    id: u64,
    pid: u32,
    flags: u32,
    data: SeccompData,
}

#[repr(C)]
struct NotifResp {
    id: u64,
    val: i64,
    error: i32,
    flags: u32,
}

const NOTIF_RECV: u64 = 0xC050_2100;
const NOTIF_SEND: u64 = 0xC018_2101;

#[test]
fn listener_receives_and_answers_a_notification() {
    assert_eq!(std::mem::size_of::<Notif>(), 80);
    let sizes = install::notif_sizes().expect("GET_NOTIF_SIZES");
    assert_eq!((sizes.notif, sizes.notif_resp, sizes.data), (80, 24, 64));
    child_ok(|r| {
        check!(r, install::set_no_new_privs().is_ok());
        let (fd_tx, fd_rx) = std::sync::mpsc::channel::<i32>();
        // The supervisor starts before the filter, so it is not filtered.
        let sup = std::thread::spawn(move || -> Result<(u32, i32), &'static str> {
            let fd = fd_rx.recv().map_err(|_| "no fd")?;
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one live pollfd.
            if unsafe { libc::poll(&mut pfd, 1, 5000) } != 1 || pfd.revents & libc::POLLIN == 0 {
                return Err("poll: no notification");
            }
            let mut n = Notif::default();
            // SAFETY: the kernel writes one seccomp_notif into `n`.
            if unsafe { libc::ioctl(fd, NOTIF_RECV as _, &mut n) } != 0 {
                return Err("NOTIF_RECV failed");
            }
            let resp = NotifResp {
                id: n.id,
                val: 4242,
                error: 0,
                flags: 0,
            };
            // SAFETY: the kernel reads one seccomp_notif_resp.
            if unsafe { libc::ioctl(fd, NOTIF_SEND as _, &resp) } != 0 {
                return Err("NOTIF_SEND failed");
            }
            Ok((n.pid, n.data.nr))
        });
        let listener =
            install::install_listener(&on_getppid(Action::UserNotif), FilterFlags::empty());
        check!(r, listener.is_ok());
        let listener = listener.unwrap();
        fd_tx.send(listener.as_raw_fd()).unwrap();
        let got = getppid_result();
        check!(r, got == 4242, got, 4242);
        match sup.join() {
            Ok(Ok((pid, nr))) => {
                check!(r, pid as i32 == sys::gettid(), pid, sys::gettid());
                check!(r, nr as u32 == getppid_nr(), nr, getppid_nr());
            }
            Ok(Err(m)) => return fail(r, m, 0, 0),
            Err(_) => return fail(r, "supervisor panicked", 0, 0),
        }
        // Closing the listener: the notified call now fails with ENOSYS.
        drop(listener);
        check!(
            r,
            getppid_result() == -(libc::ENOSYS as i64),
            getppid_result(),
            0
        );
        0
    });
}

/// What a child observes for getppid under two stacked filters.
fn observe(older: Action, newer: Action) -> End {
    let (end, _) = in_child(|_| {
        if install::set_no_new_privs().is_err()
            || install::install(&on_getppid(older), FilterFlags::empty()).is_err()
            || install::install(&on_getppid(newer), FilterFlags::empty()).is_err()
        {
            return 99;
        }
        match getppid_result() {
            r if r < 0 => (-r) as i32,
            _ => 0,
        }
    });
    end
}

/// What a lone `action` on getppid would show, in the same terms.
fn expected(action: Action) -> End {
    match action {
        Action::Errno(e) => End::Exit(e as i32),
        Action::Allow | Action::Log => End::Exit(0),
        Action::Trap(_) | Action::KillProcess | Action::KillThread => End::Signal(libc::SIGSYS),
        Action::UserNotif | Action::Trace(_) => End::Exit(libc::ENOSYS),
        Action::Unknown(_) => End::Signal(libc::SIGSYS),
    }
}

#[test]
fn stacked_filters_follow_the_kernel_precedence() {
    let pairs = [
        (Action::Errno(1), Action::Trap(0)),
        (Action::Allow, Action::Errno(5)),
        (Action::Errno(4), Action::Errno(3)),
        (Action::Errno(3), Action::Errno(4)),
        (Action::Log, Action::Errno(2)),
        (Action::Trace(0), Action::Errno(8)),
        (Action::KillProcess, Action::Errno(1)),
        (Action::Errno(1), Action::Allow),
        (Action::Allow, Action::Log),
    ];
    for (older, newer) in pairs {
        let want = expected(Action::combine(newer, older));
        assert_eq!(observe(older, newer), want, "older {older}, newer {newer}");
    }
    // The precedence the checks rely on, spelled out.
    assert_eq!(
        Action::combine(Action::Trap(0), Action::Errno(1)),
        Action::Trap(0)
    );
    assert_eq!(
        Action::combine(Action::Errno(5), Action::Allow),
        Action::Errno(5)
    );
    assert_eq!(
        Action::combine(Action::Errno(3), Action::Errno(4)),
        Action::Errno(3)
    );
}

#[test]
fn action_probe_agrees_with_proc() {
    let avail =
        std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_avail").expect("actions_avail");
    let names: Vec<&str> = avail.split_whitespace().collect();
    for a in Action::ALL {
        let listed = names.contains(&a.kernel_name().unwrap());
        assert_eq!(install::action_available(a), Ok(listed), "{a}");
    }
    // Exact values: data makes a supported action "unavailable".
    assert_eq!(install::action_available(Action::Errno(5)), Ok(false));
    assert_eq!(
        install::action_available(Action::Unknown(0x7ffe_0000)),
        Ok(false)
    );
}

#[test]
fn every_flag_is_known_to_this_kernel() {
    // 6.18 knows all six flags.
    assert_eq!(install::known_flags(), Ok(FilterFlags::all()));
    assert_eq!(
        install::flag_known(FilterFlags::from_bits_retain(1 << 31)),
        Ok(false)
    );
}
