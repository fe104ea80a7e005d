//! The SIGSYS reporter on the running kernel (x86_64, and i386 with
//! `cargo test --target i686-unknown-linux-musl --test trap`): in a forked
//! child whose stderr is a pipe, install the reporter and a TRAP filter,
//! make the call, and check the line, the errno and that the child goes on
//! (or dies by SIGSYS).
#![cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "x86")))]

use std::io::Read;
use std::os::fd::FromRawFd;
use std::sync::Mutex;

use seccomp_bpf::install::{self, FilterFlags};
use seccomp_bpf::policy::{Policy, Rule};
use seccomp_bpf::sys::{self, Errno, signal};
use seccomp_bpf::trap::{OnTrap, TrapError, install_reporter, install_reporter_without_names};
use seccomp_bpf::{Abi, Action, Filter, Syscall, compile};

static FORK: Mutex<()> = Mutex::new(());

const NATIVE: Abi = match Abi::NATIVE {
    Some(abi) => abi,
    None => panic!("no native ABI"),
};
const ABIS: [Abi; 1] = [NATIVE];

/// How the child ended, and what it wrote on stderr.
#[derive(Debug)]
struct Child {
    exit: Option<i32>,
    signal: Option<i32>,
    stderr: String,
}

fn in_child(f: impl FnOnce() -> i32) -> Child {
    let _guard = FORK.lock().unwrap_or_else(|e| e.into_inner());
    let mut fds = [0; 2];
    // SAFETY: a pipe into a two-int array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the child only runs `f` and exits without unwinding.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        // SAFETY: descriptors of our own pipe.
        unsafe {
            libc::close(fds[0]);
            libc::dup2(fds[1], 2);
            libc::close(fds[1]);
        }
        let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(101);
        sys::exit_group(code);
    }
    // SAFETY: our end of the pipe, owned from here on.
    unsafe { libc::close(fds[1]) };
    let mut read_end = unsafe { std::fs::File::from_raw_fd(fds[0]) };
    let mut stderr = String::new();
    read_end.read_to_string(&mut stderr).unwrap();
    let mut status = 0;
    // SAFETY: our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    Child {
        exit: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        stderr,
    }
}

/// Installs the reporter and a filter that traps getppid with `data`.
fn setup(on_trap: OnTrap, data: u16) -> Result<(), i32> {
    install_reporter(on_trap).map_err(|_| 10)?;
    install_filter(data)
}

/// A filter that traps getppid with `data`.
fn install_filter(data: u16) -> Result<(), i32> {
    let rules = [Rule::new(Syscall::getppid, Action::Trap(data))];
    let policy = Policy::new(Action::Allow, &ABIS, &rules);
    let filter: Filter<32> = compile(&policy).map_err(|_| 11)?;
    install::set_no_new_privs().map_err(|_| 12)?;
    install::install(&filter, FilterFlags::empty()).map_err(|_| 13)?;
    Ok(())
}

fn getppid_raw() -> Result<usize, Errno> {
    // SAFETY: getppid takes no arguments.
    sys::decode(unsafe { sys::syscall0(sys::nr::GETPPID) })
}

/// `seccomp: blocked getppid (N) on ABI at 0x...` and the rest of the line.
fn check_line(stderr: &str) -> &str {
    let nr = Syscall::getppid.nr(NATIVE).unwrap();
    let head = format!("seccomp: blocked getppid ({nr}) on {NATIVE} at 0x");
    let line = stderr.lines().next().unwrap_or("");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    let rest = line
        .strip_prefix(&head)
        .unwrap_or_else(|| panic!("{line:?}"));
    let hex: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    let addr = usize::from_str_radix(&hex, 16).unwrap();
    assert_ne!(addr, 0, "{line}");
    &rest[hex.len()..]
}

#[test]
fn die_reports_then_dies_by_sigsys() {
    let c = in_child(|| match setup(OnTrap::Die, 0) {
        Ok(()) => {
            let _ = getppid_raw();
            // Not reached: SIGSYS is delivered when the handler returns.
            20
        }
        Err(code) => code,
    });
    assert_eq!((c.exit, c.signal), (None, Some(signal::SIGSYS)), "{c:?}");
    assert_eq!(check_line(&c.stderr), "");
}

#[test]
fn fail_returns_the_errno_and_the_program_goes_on() {
    let c = in_child(|| match setup(OnTrap::Fail(13), 0) {
        Ok(()) => {
            let first = getppid_raw();
            let second = getppid_raw();
            // Not filtered: still works after the handler returned.
            let pid = sys::getpid();
            if first != Err(Errno::EACCES) || second != Err(Errno::EACCES) {
                return 21;
            }
            if pid <= 0 {
                return 22;
            }
            let _ = sys::write(2, b"after\n");
            0
        }
        Err(code) => code,
    });
    assert_eq!(c.exit, Some(0), "{c:?}");
    let mut lines = c.stderr.lines();
    let first = lines.next().unwrap_or("");
    assert_eq!(
        check_line(&format!("{first}\n")),
        "; failing it with errno 13"
    );
    assert_eq!(lines.next(), Some(first), "the second call is reported too");
    assert_eq!(lines.next(), Some("after"));
}

#[test]
fn fail_with_data_uses_the_trap_data() {
    let c = in_child(|| match setup(OnTrap::FailWithData, 38) {
        Ok(()) => match getppid_raw() {
            Err(e) if e == Errno::ENOSYS => 0,
            Err(e) => 100 + e.raw().clamp(0, 100),
            Ok(_) => 30,
        },
        Err(code) => code,
    });
    assert_eq!(c.exit, Some(0), "{c:?}");
    assert_eq!(check_line(&c.stderr), "; failing it with errno 38");
}

#[test]
fn without_names_reports_the_number_and_fails_the_call() {
    let c = in_child(|| {
        if install_reporter_without_names(OnTrap::Fail(25)).is_err() {
            return 10;
        }
        if let Err(code) = install_filter(0) {
            return code;
        }
        if getppid_raw() != Err(Errno::ENOTTY) {
            return 21;
        }
        let _ = sys::write(2, b"after\n");
        0
    });
    assert_eq!(c.exit, Some(0), "{c:?}");
    let nr = Syscall::getppid.nr(NATIVE).unwrap();
    let head = format!("seccomp: blocked syscall {nr} on {NATIVE} at 0x");
    let mut lines = c.stderr.lines();
    let line = lines.next().unwrap_or("");
    let rest = line
        .strip_prefix(&head)
        .and_then(|r| r.strip_suffix("; failing it with errno 25"))
        .unwrap_or_else(|| panic!("{line:?}"));
    assert_ne!(usize::from_str_radix(rest, 16).unwrap(), 0, "{line}");
    assert_eq!(lines.next(), Some("after"));
}

#[test]
fn without_names_dies_by_sigsys() {
    let c = in_child(|| {
        if install_reporter_without_names(OnTrap::Die).is_err() {
            return 10;
        }
        if let Err(code) = install_filter(0) {
            return code;
        }
        let _ = getppid_raw();
        20
    });
    assert_eq!((c.exit, c.signal), (None, Some(signal::SIGSYS)), "{c:?}");
    let nr = Syscall::getppid.nr(NATIVE).unwrap();
    let head = format!("seccomp: blocked syscall {nr} on {NATIVE} at 0x");
    assert!(c.stderr.starts_with(&head), "{:?}", c.stderr);
    assert_eq!(c.stderr.lines().count(), 1, "{:?}", c.stderr);
    assert!(!c.stderr.contains("failing"), "{:?}", c.stderr);
}

#[test]
fn bad_errno_is_refused() {
    assert_eq!(
        install_reporter_without_names(OnTrap::Fail(0)),
        Err(TrapError::BadErrno(0))
    );
    assert_eq!(
        install_reporter(OnTrap::Fail(0)),
        Err(TrapError::BadErrno(0))
    );
    assert_eq!(
        install_reporter(OnTrap::Fail(4096)),
        Err(TrapError::BadErrno(4096))
    );
}

/// The offset the handler writes, against the C library's `ucontext_t`.
#[test]
fn return_register_offset_matches_the_c_library() {
    // The general registers open mcontext_t on both (musl keeps i386's
    // fields private); the errno tests above check the register live.
    let mc = std::mem::offset_of!(libc::ucontext_t, uc_mcontext);
    #[cfg(target_arch = "x86_64")]
    let want = mc + std::mem::offset_of!(libc::mcontext_t, gregs) + libc::REG_RAX as usize * 8;
    #[cfg(target_arch = "x86")]
    let want = mc + 11 * 4; // REG_EAX
    assert_eq!(signal::UCONTEXT_RETURN_OFFSET, Some(want));
}
