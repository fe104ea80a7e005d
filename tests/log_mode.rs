//! Log mode on the running kernel: a call the policy refuses runs, and the
//! kernel's audit record of it (`type=1326 ... code=0x7ffc0000`) shows up
//! in the kernel log when no audit daemon takes it. Each case runs in a
//! forked child.
#![cfg(target_os = "linux")]

use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use seccomp_bpf::install::{self, FilterFlags};
use seccomp_bpf::policy::{Policy, Rule};
use seccomp_bpf::{Abi, Action, Filter, Syscall, compile, sys};

static FORK: Mutex<()> = Mutex::new(());

const RULES: [Rule; 3] = [
    Rule::new(Syscall::write, Action::Allow),
    Rule::new(Syscall::exit_group, Action::Allow),
    Rule::new(Syscall::getppid, Action::Errno(1)),
];

const ABIS: [Abi; 1] = [match Abi::NATIVE {
    Some(abi) => abi,
    None => panic!("no native ABI"),
}];

fn policy(log_mode: bool) -> Policy<'static> {
    Policy::new(Action::Errno(38), &ABIS, &RULES).log_mode(log_mode)
}

/// Runs `f` in a forked child and returns (pid, exit status or -signal).
fn in_child(f: impl FnOnce() -> i32) -> (i32, i32) {
    let _guard = FORK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the child only runs `f` and exits without unwinding.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(101);
        sys::exit_group(code);
    }
    let mut status = 0;
    // SAFETY: waits for our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    if libc::WIFEXITED(status) {
        (pid, libc::WEXITSTATUS(status))
    } else {
        (pid, -libc::WTERMSIG(status))
    }
}

/// Installs the policy's filter, calls getppid; exit 0 when it returned
/// `parent`, 1 when it failed with EPERM, 2 otherwise.
fn child(log_mode: bool, parent: i32) -> i32 {
    let filter: Filter<64> = compile(&policy(log_mode)).unwrap();
    if install::set_no_new_privs().is_err()
        || install::install(&filter, FilterFlags::empty()).is_err()
    {
        return 3;
    }
    // SAFETY: getppid takes no arguments.
    let ret = unsafe { sys::syscall0(sys::nr::GETPPID) };
    match sys::decode(ret) {
        Ok(p) if p as i32 == parent => 0,
        Err(e) if e == sys::Errno::EPERM => 1,
        _ => 2,
    }
}

#[test]
fn without_log_mode_the_call_is_refused() {
    let parent = std::process::id() as i32;
    assert_eq!(in_child(|| child(false, parent)).1, 1);
}

/// The kernel log, read from its end on, if we may read it.
struct Kmsg(std::fs::File);

impl Kmsg {
    fn open() -> Option<Kmsg> {
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open("/dev/kmsg")
            .ok()?;
        f.seek(SeekFrom::End(0)).ok()?;
        Some(Kmsg(f))
    }

    /// The records that arrive within `wait`, until `done` says stop.
    fn scan(&mut self, wait: Duration, mut done: impl FnMut(&str) -> bool) -> bool {
        let end = Instant::now() + wait;
        let mut buf = [0u8; 8192];
        while Instant::now() < end {
            match self.0.read(&mut buf) {
                Ok(n) => {
                    let rec = String::from_utf8_lossy(&buf[..n]);
                    if done(&rec) {
                        return true;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                // EPIPE: records were overwritten before we read them.
                Err(_) => {}
            }
        }
        false
    }
}

#[test]
fn log_mode_lets_the_call_run_and_the_kernel_logs_it() {
    let parent = std::process::id() as i32;
    let logged =
        std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_logged").unwrap_or_default();
    let nr = Syscall::getppid.nr(Abi::NATIVE.unwrap()).unwrap();
    let want_nr = format!(" syscall={nr} ");
    // The kernel rate-limits these records (a burst, then one interval of
    // silence), and other suites log many: a missed record is tried again
    // after the interval, a few times, before it counts as absent.
    let mut suppressed = false;
    let mut last_pid = 0;
    for attempt in 0..4 {
        if attempt > 0 {
            std::thread::sleep(Duration::from_secs(6));
        }
        let mut kmsg = Kmsg::open();
        let (pid, status) = in_child(|| child(true, parent));
        last_pid = pid;
        assert_eq!(
            status, 0,
            "under log mode getppid must run and return the parent's pid"
        );
        if !logged.split_whitespace().any(|a| a == "log") {
            println!(
                "skipped: `log` is not in /proc/sys/kernel/seccomp/actions_logged ({logged:?})"
            );
            return;
        }
        let Some(kmsg) = kmsg.as_mut() else {
            println!("skipped: /dev/kmsg cannot be read here");
            return;
        };
        let want_pid = format!(" pid={pid} ");
        let found = kmsg.scan(Duration::from_secs(3), |rec| {
            suppressed |= rec.contains("callbacks suppressed");
            rec.contains("type=1326")
                && rec.contains(&want_pid)
                && rec.contains(&want_nr)
                && rec.contains("code=0x7ffc0000")
        });
        if found {
            return;
        }
        if std::path::Path::new("/run/auditd.pid").exists() {
            println!("skipped: an audit daemon takes the records (see /var/log/audit/audit.log)");
            return;
        }
    }
    assert!(
        suppressed,
        "no type=1326 record for pid {last_pid} syscall {nr} in /dev/kmsg after 4 tries"
    );
    println!("skipped: the kernel kept rate-limiting its audit records (callbacks suppressed)");
}
