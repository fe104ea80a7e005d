//! `sys::process` against the running kernel: fork and wait4, a SIGSYS
//! handler catching a TRAP, a KILL_PROCESS seen by the parent, reboot's
//! arguments (behind a filter, so nothing reboots). Each case runs in a
//! forked child, which reports the first check that failed as its exit code.

#![cfg(target_os = "linux")]

use seccomp_bpf::policy::{Cond, Policy, Rule};
use seccomp_bpf::sys::process::{self, Fork, SigInfo, WaitStatus};
use seccomp_bpf::sys::{self, Errno};
use seccomp_bpf::{Abi, Action, Filter, FilterFlags, Syscall, install};
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering::SeqCst};

const ABI: Abi = match Abi::NATIVE {
    Some(abi) => abi,
    None => panic!("no seccomp ABI for this target"),
};

/// Runs `checks` in a forked child; the child exits with the 1-based index
/// of the first check that fails, or 0. Returns how the child ended.
fn in_child(checks: fn() -> i32) -> WaitStatus {
    // SAFETY: the child only makes system calls and leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = std::panic::catch_unwind(checks).unwrap_or(101);
        // SAFETY: ends the child at once, without the parent's atexit work.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for our own child, writing one int.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    WaitStatus::from_raw(status)
}

fn expect_exit_0(status: WaitStatus, checks: &[&str]) {
    match status {
        WaitStatus::Exited(0) => {}
        WaitStatus::Exited(n) if n >= 1 && (n as usize) <= checks.len() => {
            panic!("check failed: {}", checks[n as usize - 1])
        }
        other => panic!("child ended with {other:?}"),
    }
}

/// Installs a filter for the calling process (no_new_privs first).
fn install_policy<const N: usize>(policy: &Policy<'_>) -> bool {
    let Ok(filter) = Filter::<N>::new(policy) else {
        return false;
    };
    install::set_no_new_privs().is_ok() && install(&filter, FilterFlags::empty()).is_ok()
}

#[test]
fn wait_status_matches_libc_macros() {
    for raw in [
        0,
        7 << 8,
        255 << 8,
        9,
        31,
        0x80 | 11,
        (19 << 8) | 0x7f,
        0xffff,
    ] {
        let decoded = WaitStatus::from_raw(raw);
        let expected = if libc::WIFEXITED(raw) {
            WaitStatus::Exited(libc::WEXITSTATUS(raw))
        } else if libc::WIFSIGNALED(raw) {
            WaitStatus::Signaled {
                signal: libc::WTERMSIG(raw),
                core_dumped: libc::WCOREDUMP(raw),
            }
        } else if libc::WIFSTOPPED(raw) {
            WaitStatus::Stopped(libc::WSTOPSIG(raw))
        } else {
            assert!(libc::WIFCONTINUED(raw), "{raw:#x}");
            WaitStatus::Continued
        };
        assert_eq!(decoded, expected, "status {raw:#x}");
    }
}

#[test]
fn constants_match_libc() {
    assert_eq!(process::SIGSYS, libc::SIGSYS);
    assert_eq!(process::SIGCHLD, libc::SIGCHLD);
    assert_eq!(
        process::REBOOT_POWER_OFF as i32,
        libc::LINUX_REBOOT_CMD_POWER_OFF
    );
    assert_eq!(
        process::REBOOT_RESTART as i32,
        libc::LINUX_REBOOT_CMD_RESTART
    );
    assert_eq!(process::REBOOT_HALT as i32, libc::LINUX_REBOOT_CMD_HALT);
}

#[test]
fn fork_then_wait4_sees_the_exit_code() {
    const CHECKS: &[&str] = &[
        "fork failed",
        "wait4 failed",
        "wait4 returned another pid",
        "the child's exit code was not 7",
        "a second wait4 did not fail with ECHILD",
        "the child's getppid was not the parent",
    ];
    let status = in_child(|| {
        let me = sys::getpid();
        // SAFETY: this process has one thread (a fresh fork).
        match unsafe { process::fork() } {
            Err(_) => 1,
            Ok(Fork::Child) => sys::exit_group(if sys::getppid() == me { 7 } else { 8 }),
            Ok(Fork::Parent(pid)) => match process::wait4(pid, 0) {
                Err(_) => 2,
                Ok((got, _)) if got != pid => 3,
                Ok((_, WaitStatus::Exited(8))) => 6,
                Ok((_, WaitStatus::Exited(7))) => {
                    if process::wait4(-1, 0) == Err(Errno::ECHILD) {
                        0
                    } else {
                        5
                    }
                }
                Ok(_) => 4,
            },
        }
    });
    expect_exit_0(status, CHECKS);
}

#[test]
fn kill_process_is_seen_as_sigsys() {
    const CHECKS: &[&str] = &[
        "fork failed",
        "wait4 failed",
        "the child was not killed by SIGSYS",
    ];
    let status = in_child(|| {
        // SAFETY: one thread.
        match unsafe { process::fork() } {
            Err(_) => 1,
            Ok(Fork::Child) => {
                const RULES: [Rule; 1] = [Rule::new(Syscall::getppid, Action::KillProcess)];
                let policy = Policy::new(Action::Allow, &[ABI], &RULES);
                if !install_policy::<64>(&policy) {
                    sys::exit_group(50);
                }
                let _ = sys::getppid();
                sys::exit_group(0)
            }
            Ok(Fork::Parent(pid)) => match process::wait4(pid, 0) {
                Err(_) => 2,
                Ok((_, WaitStatus::Signaled { signal, .. })) if signal == process::SIGSYS => 0,
                Ok(_) => 3,
            },
        }
    });
    expect_exit_0(status, CHECKS);
}

static TRAPS: AtomicU32 = AtomicU32::new(0);
static SIGNO: AtomicI32 = AtomicI32::new(0);
static CODE: AtomicI32 = AtomicI32::new(0);
static DATA: AtomicI32 = AtomicI32::new(0);
static NR: AtomicI32 = AtomicI32::new(0);
static ARCH: AtomicU32 = AtomicU32::new(0);
static ADDR: AtomicUsize = AtomicUsize::new(0);

extern "C" fn record(signal: i32, info: &SigInfo, _: *mut core::ffi::c_void) {
    TRAPS.fetch_add(1, SeqCst);
    SIGNO.store(if signal == info.signo() { signal } else { -1 }, SeqCst);
    CODE.store(info.code(), SeqCst);
    DATA.store(info.errno(), SeqCst);
    NR.store(info.syscall(), SeqCst);
    ARCH.store(info.arch(), SeqCst);
    ADDR.store(info.call_addr(), SeqCst);
}

#[test]
fn sigaction_handler_reads_the_trapped_call() {
    const CHECKS: &[&str] = &[
        "sigaction failed",
        "installing the filter failed",
        "the handler did not run exactly once",
        "si_signo is not SIGSYS",
        "si_code is not SYS_SECCOMP",
        "si_errno is not the TRAP data",
        "si_syscall is not getppid",
        "si_arch is not the native audit arch",
        "si_call_addr is 0",
        "the process did not go on after the handler",
    ];
    let status = in_child(|| {
        // SAFETY: `record` only touches atomics.
        if unsafe { process::sigaction(process::SIGSYS, record) }.is_err() {
            return 1;
        }
        const RULES: [Rule; 1] = [Rule::new(Syscall::getppid, Action::Trap(0x123))];
        if !install_policy::<64>(&Policy::new(Action::Allow, &[ABI], &RULES)) {
            return 2;
        }
        let _ = sys::getppid();
        let checks = [
            TRAPS.load(SeqCst) == 1,
            SIGNO.load(SeqCst) == libc::SIGSYS,
            CODE.load(SeqCst) == process::SYS_SECCOMP,
            DATA.load(SeqCst) == 0x123,
            NR.load(SeqCst) == libc::SYS_getppid as i32,
            ARCH.load(SeqCst) == ABI.audit_arch(),
            ADDR.load(SeqCst) != 0,
            sys::getpid() > 0,
        ];
        match checks.iter().position(|ok| !ok) {
            Some(i) => i as i32 + 3,
            None => 0,
        }
    });
    expect_exit_0(status, CHECKS);
}

#[test]
fn sigaction_refuses_sigkill_and_restores_default() {
    const CHECKS: &[&str] = &[
        "sigaction(SIGKILL) did not fail with EINVAL",
        "sigaction_default(SIGSYS) failed",
        "after sigaction_default, a TRAP did not kill the process",
    ];
    let status = in_child(|| {
        // SAFETY: `record` only touches atomics.
        if unsafe { process::sigaction(libc::SIGKILL, record) } != Err(Errno::EINVAL) {
            return 1;
        }
        // SAFETY: as above.
        let _ = unsafe { process::sigaction(process::SIGSYS, record) };
        if process::sigaction_default(process::SIGSYS).is_err() {
            return 2;
        }
        const RULES: [Rule; 1] = [Rule::new(Syscall::getppid, Action::Trap(1))];
        if !install_policy::<64>(&Policy::new(Action::Allow, &[ABI], &RULES)) {
            return 50;
        }
        let _ = sys::getppid();
        3
    });
    match status {
        WaitStatus::Signaled { signal, .. } if signal == libc::SIGSYS => {}
        other => expect_exit_0(other, CHECKS),
    }
}

/// reboot's registers, checked by a filter in front of the call: when the
/// two magic numbers and POWER_OFF arrive as the kernel reads them, the
/// filter answers ERRNO(1000), else ERRNO(1001). Either way the kernel's
/// reboot never runs.
#[test]
fn reboot_passes_the_magic_numbers_and_the_command() {
    const CHECKS: &[&str] = &[
        "installing the guard filter failed",
        "reboot(POWER_OFF) did not reach the filter with the right registers",
        "reboot(HALT) was not told apart from POWER_OFF",
    ];
    let status = in_child(|| {
        const EXACT: [Cond; 3] = [
            Cond::eq(0, 0xfee1_dead).low32(),
            Cond::eq(1, 0x2812_1969).low32(),
            Cond::eq(2, process::REBOOT_POWER_OFF as u64).low32(),
        ];
        const RULES: [Rule; 2] = [
            Rule::when(Syscall::reboot, &EXACT, Action::Errno(1000)),
            Rule::new(Syscall::reboot, Action::Errno(1001)),
        ];
        if !install_policy::<64>(&Policy::new(Action::Allow, &[ABI], &RULES)) {
            return 1;
        }
        if process::reboot(process::REBOOT_POWER_OFF) != Err(Errno::from_raw(1000)) {
            return 2;
        }
        if process::reboot(process::REBOOT_HALT) != Err(Errno::from_raw(1001)) {
            return 3;
        }
        0
    });
    expect_exit_0(status, CHECKS);
}
