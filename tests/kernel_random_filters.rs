//! Random compiled filters on the running kernel: hundreds of policies
//! (deterministic PRNG) compiled, each installed in a forked child, which
//! makes a sample of harmless calls (getpid, getppid, gettid, getuid, ...)
//! with arguments around the policy's constants. Every filter must be
//! accepted, and every call must end as the interpreter predicts: the
//! call's own result, an errno, ENOSYS for USER_NOTIF and TRACE without a
//! supervisor, or death by SIGSYS for TRAP and the kills.
//!
//! The child reports through a MAP_SHARED page mapped before the fork (a
//! filter may refuse `write` and `exit`); the parent SIGKILLs and reaps it.
//! x86_64 only: the calls are made through the native ABI.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

mod randpol;

use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use randpol::{Rng, Shape, draw};
use seccomp_bpf::action::Effect;
use seccomp_bpf::bpf::{self, SockFilter};
use seccomp_bpf::{Abi, Action, ByteOrder, Filter, SeccompData, Syscall, compile};

const MAX_CALLS: usize = 12;

const INSTALL_FAILED: u32 = 1;
const INSTALLED: u32 = 2;
const CALLING: u32 = 3;
const RETURNED: u32 = 4;

#[repr(C)]
struct Slot {
    state: AtomicU32,
    errno: AtomicI32,
    ret: AtomicI64,
}

#[repr(C)]
struct Report {
    state: AtomicU32,
    errno: AtomicI32,
    calls: [Slot; MAX_CALLS],
}

/// The page shared with the children.
struct Shared(*mut Report);

impl Shared {
    fn new() -> Shared {
        // SAFETY: an anonymous shared mapping of one page; checked below.
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
        assert!(std::mem::size_of::<Report>() <= 4096);
        Shared(p.cast())
    }
    fn get(&self) -> &Report {
        // SAFETY: the page lives until drop, starts zero-filled (a valid
        // Report of atomics) and is only accessed through atomics.
        unsafe { &*self.0 }
    }
    fn clear(&self) {
        let r = self.get();
        r.state.store(0, Ordering::SeqCst);
        r.errno.store(0, Ordering::SeqCst);
        for s in &r.calls {
            s.state.store(0, Ordering::SeqCst);
            s.errno.store(0, Ordering::SeqCst);
            s.ret.store(0, Ordering::SeqCst);
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: unmaps the page mapped in `new`.
        unsafe { libc::munmap(self.0.cast(), 4096) };
    }
}

/// How one call ends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    /// It ran: a positive result.
    Ran,
    /// It returned 0: ran (getuid as root), or ERRNO(0).
    Zero,
    /// -1 with this errno (0: the call returned 0 without running).
    Errno(i32),
    /// The process died of SIGSYS.
    Sigsys,
}

fn expected(action: Action, nr: u32) -> End {
    match action.effect() {
        Effect::Allow | Effect::Log if real_result_is_zero(nr) => End::Zero,
        Effect::Allow | Effect::Log => End::Ran,
        Effect::Errno(0) => End::Zero,
        Effect::Errno(e) => End::Errno(i32::from(e)),
        // No listener, no tracer.
        Effect::UserNotif | Effect::Trace(_) => End::Errno(libc::ENOSYS),
        _ => End::Sigsys,
    }
}

/// Installs `prog` in a child, makes `calls` in order and returns how
/// each ended (`None` for calls after the one that killed it).
fn observe(shared: &Shared, prog: &[SockFilter], calls: &[(u32, [u64; 6])]) -> Vec<Option<End>> {
    assert!(calls.len() <= MAX_CALLS);
    shared.clear();
    let rep = shared.get();
    let fprog = libc::sock_fprog {
        len: u16::try_from(prog.len()).expect("program too long"),
        // SockFilter has the layout of struct sock_filter (repr C).
        filter: prog.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: fork; the child makes raw syscalls and atomic stores only,
    // and never returns.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        child(rep, &fprog, calls);
    }
    let start = Instant::now();
    let mut status = 0;
    let mut exited = false;
    loop {
        // SAFETY: waitpid on our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            exited = true;
            break;
        }
        let s = rep.state.load(Ordering::SeqCst);
        let done = s == INSTALL_FAILED
            || calls
                .len()
                .checked_sub(1)
                .is_some_and(|l| rep.calls[l].state.load(Ordering::SeqCst) == RETURNED)
            || (s == INSTALLED && calls.is_empty());
        if done || start.elapsed() > Duration::from_secs(5) {
            break;
        }
        std::thread::sleep(Duration::from_micros(50));
    }
    if !exited {
        // SAFETY: kill and reap our own child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, &mut status, 0);
        }
    }
    let state = rep.state.load(Ordering::SeqCst);
    assert_ne!(
        state,
        INSTALL_FAILED,
        "the kernel refused a compiled filter: errno {}",
        rep.errno.load(Ordering::SeqCst)
    );
    assert_eq!(
        state, INSTALLED,
        "child did not install (status {status:#x})"
    );
    let sigsys = exited && libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGSYS;
    (0..calls.len())
        .map(|i| {
            let s = &rep.calls[i];
            match s.state.load(Ordering::SeqCst) {
                RETURNED => {
                    let ret = s.ret.load(Ordering::SeqCst);
                    let errno = s.errno.load(Ordering::SeqCst);
                    Some(match (ret, errno) {
                        (0, 0) => End::Zero,
                        (r, 0) if r > 0 => End::Ran,
                        _ => End::Errno(errno),
                    })
                }
                CALLING if sigsys => Some(End::Sigsys),
                CALLING => panic!("call {i} neither returned nor died of SIGSYS: {status:#x}"),
                _ => None,
            }
        })
        .collect()
}

/// Whether the call returns 0 when it runs (getuid as root): then it
/// looks like ERRNO(0), which returns 0 without running it.
fn real_result_is_zero(nr: u32) -> bool {
    let nr = i64::from(nr);
    // SAFETY: plain id queries.
    let id = unsafe {
        match nr {
            libc::SYS_getuid => libc::getuid(),
            libc::SYS_geteuid => libc::geteuid(),
            libc::SYS_getgid => libc::getgid(),
            libc::SYS_getegid => libc::getegid(),
            _ => return false,
        }
    };
    id == 0
}

fn child(rep: &Report, fprog: &libc::sock_fprog, calls: &[(u32, [u64; 6])]) -> ! {
    // SAFETY: raw syscalls on this process only; every pointer passed is
    // valid for the call (fprog and rlimit live in memory copied by fork).
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
            || libc::syscall(libc::SYS_seccomp, 1, 0, fprog as *const libc::sock_fprog) != 0
        {
            rep.errno.store(*libc::__errno_location(), Ordering::SeqCst);
            rep.state.store(INSTALL_FAILED, Ordering::SeqCst);
            libc::_exit(1);
        }
        rep.state.store(INSTALLED, Ordering::SeqCst);
        for (slot, &(nr, [a0, a1, a2, a3, a4, a5])) in rep.calls.iter().zip(calls) {
            slot.state.store(CALLING, Ordering::SeqCst);
            *libc::__errno_location() = 0;
            let r = libc::syscall(i64::from(nr), a0, a1, a2, a3, a4, a5);
            slot.errno
                .store(*libc::__errno_location(), Ordering::SeqCst);
            slot.ret.store(r, Ordering::SeqCst);
            slot.state.store(RETURNED, Ordering::SeqCst);
        }
        // exit may be refused: wait for the parent's SIGKILL.
        loop {
            std::hint::spin_loop();
        }
    }
}

#[test]
fn random_filters_on_the_kernel() {
    let pool = [
        Syscall::getpid,
        Syscall::getppid,
        Syscall::gettid,
        Syscall::getuid,
        Syscall::getgid,
        Syscall::geteuid,
        Syscall::getegid,
        Syscall::getpgrp,
    ];
    let shape = Shape {
        abi_sets: vec![
            vec![Abi::X86_64],
            vec![Abi::X86_64, Abi::X86],
            vec![Abi::X86_64, Abi::X32],
            vec![Abi::X86, Abi::X86_64, Abi::X32],
            vec![Abi::Aarch64, Abi::X86_64],
            vec![Abi::Aarch64],
        ],
        calls: pool.to_vec(),
        raw_numbers: true,
        actions: vec![
            Action::Allow,
            Action::Allow,
            Action::Log,
            Action::Errno(1),
            Action::Errno(0),
            Action::Errno(4095),
            Action::Errno(38),
            Action::Trap(3),
            Action::Trace(7),
            Action::UserNotif,
            Action::KillThread,
            Action::KillProcess,
        ],
        cmps: (0..=10).collect(),
        low32: true,
        distinct_args: false,
        one_action_per_call: false,
        disjoint_args_per_call: false,
        narrow_x32: false,
        max_rules: 10,
        max_conds: 3,
    };
    let shared = Shared::new();
    let mut rng = Rng(0x6b65_726e_656c);
    let started = Instant::now();
    let (mut filters, mut calls_made, mut kills) = (0, 0, 0);
    while filters < 1000 && started.elapsed() < Duration::from_secs(45) {
        let spec = draw(&mut rng, &shape);
        let Ok(filter) = spec.with_policy(compile::<4096>) else {
            continue; // a raw number out of its ABI, say: not for the kernel
        };
        let filter: Filter<4096> = filter;
        // Calls: each pool call or rule number, arguments around constants.
        let mut calls: Vec<(u32, [u64; 6])> = Vec::new();
        while calls.len() < MAX_CALLS {
            let call = rng.pick(&pool);
            let nr = call.nr(Abi::X86_64).unwrap();
            let probes = spec.probes(Abi::X86_64, nr);
            calls.push((nr, probes[rng.below(probes.len())]));
        }
        // Predictions; the calls after the first deadly one never run.
        let mut want = Vec::new();
        for &(nr, args) in &calls {
            let d = SeccompData::new(nr as i32, Abi::X86_64.audit_arch(), args);
            let got = bpf::run(&filter, ByteOrder::Little, &d).expect("compiled filter verifies");
            let policy = spec
                .with_policy(|p| p.evaluate(Abi::X86_64, nr, &args))
                .unwrap();
            assert_eq!(got.action(), policy);
            let end = expected(got.action(), nr);
            want.push(Some(end));
            if end == End::Sigsys {
                kills += 1;
                break;
            }
        }
        calls.truncate(want.len());
        let seen = observe(&shared, &filter, &calls);
        assert_eq!(
            seen,
            want,
            "calls {calls:x?}\npolicy {spec:?}\n{}",
            bpf::Disasm::new(&filter).abi(Abi::X86_64)
        );
        filters += 1;
        calls_made += calls.len();
    }
    eprintln!(
        "{filters} random filters installed, {calls_made} calls as predicted ({kills} deadly) in {:?}",
        started.elapsed()
    );
    assert!(filters >= 200, "only {filters} filters in the time allowed");
}
