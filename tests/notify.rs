//! The supervisor API against the running kernel.
//!
//! Each case runs in a forked child C (a filter cannot be removed). C
//! installs "getppid -> USER_NOTIF, everything else ALLOW" with a listener
//! and forks the target T, which inherits the filter; C never calls
//! getppid, so it supervises unhindered. T reports through a MAP_SHARED
//! page; C reports its own failures through that page and its exit status.

use std::time::Duration;

use seccomp_bpf::install::{FilterFlags, install_listener};
use seccomp_bpf::notify::{AddFd, Listener, NotifyError, Ready, Reply};
use seccomp_bpf::sys::{self, Errno};
use seccomp_bpf::{Abi, Action, Policy, Rule, Syscall, compile};
use std::sync::Mutex;

static FORK: Mutex<()> = Mutex::new(());

/// The shared page: a failure message, numbers the target reports, and a
/// word the target publishes before it calls getppid.
#[repr(C)]
struct Page {
    msg: [u8; 200],
    len: usize,
    vals: [i64; 8],
    published: i64,
}

fn shared() -> &'static mut Page {
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
        &mut *(p as *mut Page)
    }
}

fn fail(p: &mut Page, msg: &str) -> i32 {
    let n = msg.len().min(p.msg.len());
    p.msg[..n].copy_from_slice(&msg.as_bytes()[..n]);
    p.len = n;
    1
}

macro_rules! check {
    ($p:expr, $cond:expr) => {
        if !$cond {
            return fail($p, concat!(file!(), ":", line!(), ": ", stringify!($cond)));
        }
    };
    ($p:expr, $cond:expr, $($fmt:tt)+) => {
        if !$cond {
            let m = format!("{}:{}: {}: {}", file!(), line!(), stringify!($cond), format!($($fmt)+));
            return fail($p, &m);
        }
    };
}

/// Forks; the child runs `f` and exits with its result. Returns the wait
/// status.
fn fork_run(f: impl FnOnce() -> i32) -> (i32, i32) {
    // SAFETY: the child runs `f` and leaves with _exit, without unwinding.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(101);
        // SAFETY: ends the child at once.
        unsafe { libc::_exit(code) };
    }
    (pid, 0)
}

fn wait(pid: i32) -> i32 {
    let mut status = 0;
    // SAFETY: waits for our own child.
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid);
    status
}

/// Runs `case` in a child C and panics with C's report unless it exits 0.
fn case(case: impl FnOnce(&mut Page) -> i32) {
    let page = shared();
    let _g = FORK.lock().unwrap_or_else(|e| e.into_inner());
    let (pid, _) = fork_run(|| case(page));
    let status = wait(pid);
    let msg = String::from_utf8_lossy(&page.msg[..page.len]).into_owned();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "case child: status {status:#x}: {msg}"
    );
}

fn native() -> Abi {
    Abi::NATIVE.expect("a known ABI")
}

/// getppid -> USER_NOTIF; everything else ALLOW; on the native ABI.
fn listener_on_getppid() -> Listener {
    let abis = [native()];
    let rules = [Rule::new(Syscall::getppid, Action::UserNotif)];
    let policy = Policy::new(Action::Allow, &abis, &rules);
    let filter = compile::<64>(&policy).expect("compiles");
    install_listener(&filter, FilterFlags::empty()).expect("install_listener")
}

/// getppid through libc: the value, or -errno.
fn getppid_raw() -> i64 {
    // SAFETY: getppid takes no arguments.
    let r = unsafe { libc::syscall(libc::SYS_getppid) } as i64;
    if r < 0 {
        -(std::io::Error::last_os_error().raw_os_error().unwrap_or(0) as i64)
    } else {
        r
    }
}

/// Forks the target: it closes its copy of the listener (so only the
/// supervisor holds it), runs `body` and exits with its result.
fn target(listener: &Listener, page: &mut Page, body: impl FnOnce(&mut Page) -> i32) -> i32 {
    let fd = listener.as_raw_fd();
    let page_ptr = page as *mut Page;
    fork_run(move || {
        // SAFETY: our copy of the listener, closed once; the supervisor
        // keeps its own.
        unsafe { libc::close(fd) };
        // SAFETY: the page is a shared mapping that outlives both processes'
        // use of it; the two sides write disjoint fields.
        body(unsafe { &mut *page_ptr })
    })
    .0
}

fn exited_ok(status: i32) -> bool {
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

#[test]
fn values_and_errnos_reach_the_target() {
    case(|p| {
        let l = listener_on_getppid();
        let t = target(&l, p, |p| {
            p.vals[0] = getppid_raw();
            p.vals[1] = getppid_raw();
            p.vals[2] = getppid_raw();
            0
        });
        let answers = [Reply::Value(4242), Reply::Errno(77), Reply::Value(-5)];
        for reply in answers {
            check!(
                p,
                l.wait(Some(Duration::from_secs(10))) == Ok(Ready::Notification)
            );
            let n = match l.recv() {
                Ok(n) => n,
                Err(e) => return fail(p, &format!("recv: {e}")),
            };
            check!(p, n.pid as i32 == t, "pid {} target {t}", n.pid);
            check!(p, n.data.nr as usize == sys::nr::GETPPID);
            check!(p, n.data.arch == native().audit_arch());
            check!(p, n.abi() == Some(native()));
            check!(p, n.syscall() == Some(Syscall::getppid));
            check!(p, l.is_valid(n.id) == Ok(true));
            check!(p, l.respond(n.id, reply).is_ok());
        }
        check!(p, exited_ok(wait(t)));
        check!(p, p.vals[0] == 4242, "{}", p.vals[0]);
        check!(p, p.vals[1] == -77, "{}", p.vals[1]);
        // A negative value is the call's raw return: libc reads -5 as
        // errno 5.
        check!(p, p.vals[2] == -5, "{}", p.vals[2]);
        0
    });
}

#[test]
fn continue_runs_the_call() {
    case(|p| {
        let l = listener_on_getppid();
        let t = target(&l, p, |p| {
            p.vals[0] = getppid_raw();
            0
        });
        let n = l.recv().expect("recv");
        check!(p, l.respond(n.id, Reply::Continue).is_ok());
        check!(p, exited_ok(wait(t)));
        // The real getppid ran: the target's parent is this process.
        check!(
            p,
            p.vals[0] == i64::from(std::process::id()),
            "{}",
            p.vals[0]
        );
        0
    });
}

#[test]
fn an_injected_pipe_works_in_the_target() {
    case(|p| {
        let l = listener_on_getppid();
        let mut fds = [0; 2];
        // SAFETY: pipe writes two descriptors into `fds`.
        check!(p, unsafe { libc::pipe(fds.as_mut_ptr()) } == 0);
        let t = target(&l, p, |p| {
            // First: ADDFD with SEND: getppid returns the new descriptor.
            let fd = getppid_raw();
            p.vals[0] = fd;
            // SAFETY: writes 5 bytes from a static buffer.
            p.vals[1] = unsafe { libc::write(fd as i32, b"hello".as_ptr().cast(), 5) } as i64;
            // Second: ADDFD at a chosen number, then a reply with it.
            let fd2 = getppid_raw();
            p.vals[2] = fd2;
            // SAFETY: as above.
            p.vals[3] = unsafe { libc::write(fd2 as i32, b"again".as_ptr().cast(), 5) } as i64;
            0
        });
        let n = l.recv().expect("recv");
        let got = l.add_fd(n.id, fds[1], AddFd::new().send());
        check!(p, got.is_ok(), "{got:?}");
        let n = l.recv().expect("recv");
        let got = l.add_fd(n.id, fds[1], AddFd::new().at(40).cloexec());
        check!(p, got == Ok(40), "{got:?}");
        check!(p, l.respond(n.id, Reply::Value(40)).is_ok());
        check!(p, exited_ok(wait(t)));
        // SAFETY: closes our write end (the target's copies are gone).
        unsafe { libc::close(fds[1]) };
        let mut buf = [0u8; 16];
        // SAFETY: reads into a local buffer of that length.
        let r = unsafe { libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len()) };
        check!(p, p.vals[0] >= 0 && p.vals[1] == 5, "{:?}", &p.vals[..2]);
        check!(p, p.vals[2] == 40 && p.vals[3] == 5, "{:?}", &p.vals[2..4]);
        check!(p, r == 10 && &buf[..10] == b"helloagain", "{r}");
        0
    });
}

#[test]
fn a_dead_target_makes_the_id_invalid() {
    case(|p| {
        let l = listener_on_getppid();
        let t = target(&l, p, |_| {
            getppid_raw();
            0
        });
        let n = l.recv().expect("recv");
        check!(p, l.is_valid(n.id) == Ok(true));
        // SAFETY: kills our own child.
        unsafe { libc::kill(t, libc::SIGKILL) };
        let status = wait(t);
        check!(
            p,
            libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL
        );
        check!(p, l.is_valid(n.id) == Ok(false));
        let r = l.respond(n.id, Reply::Value(1));
        check!(p, r == Err(NotifyError::Gone), "{r:?}");
        let r = l.add_fd(n.id, 0, AddFd::new());
        check!(p, r == Err(NotifyError::Gone), "{r:?}");
        0
    });
}

#[test]
fn closing_the_listener_fails_waiting_calls_with_enosys() {
    case(|p| {
        let l = listener_on_getppid();
        let t = target(&l, p, |p| {
            p.vals[0] = getppid_raw(); // pending when the listener closes
            p.vals[1] = getppid_raw(); // made after
            0
        });
        check!(
            p,
            l.wait(Some(Duration::from_secs(10))) == Ok(Ready::Notification)
        );
        drop(l);
        check!(p, exited_ok(wait(t)));
        let enosys = -i64::from(Errno::ENOSYS.raw());
        check!(p, p.vals[0] == enosys, "{}", p.vals[0]);
        check!(p, p.vals[1] == enosys, "{}", p.vals[1]);
        0
    });
}

#[test]
fn a_second_reply_is_refused() {
    case(|p| {
        let l = listener_on_getppid();
        let t = target(&l, p, |p| {
            p.vals[0] = getppid_raw();
            0
        });
        let n = l.recv().expect("recv");
        check!(p, l.respond(n.id, Reply::Value(7)).is_ok());
        let second = l.respond(n.id, Reply::Value(8));
        check!(p, exited_ok(wait(t)));
        // The kernel answers EINPROGRESS while the woken target has not
        // yet taken the answer off the list, ENOENT after: both refuse,
        // and the first answer is what the target got.
        check!(
            p,
            matches!(
                second,
                Err(NotifyError::AlreadyReplied) | Err(NotifyError::Gone)
            ),
            "{second:?}"
        );
        check!(p, p.vals[0] == 7, "{}", p.vals[0]);
        // Once the target has returned, the id is unknown.
        let third = l.respond(n.id, Reply::Value(9));
        check!(p, third == Err(NotifyError::Gone), "{third:?}");
        0
    });
}

/// The kernel's release, major and minor.
fn kernel() -> (u32, u32) {
    let s = std::fs::read_to_string("/proc/sys/kernel/osrelease").expect("osrelease");
    let mut it = s.trim().split(['.', '-']);
    let major = it.next().and_then(|x| x.parse().ok()).unwrap_or(0);
    let minor = it.next().and_then(|x| x.parse().ok()).unwrap_or(0);
    (major, minor)
}

#[test]
fn sync_wakeup_where_the_kernel_has_it() {
    case(|p| {
        let l = listener_on_getppid();
        let r = l.set_sync_wakeup();
        if kernel() >= (6, 6) {
            check!(p, r.is_ok(), "{r:?}");
        } else {
            check!(
                p,
                matches!(r, Err(NotifyError::Unsupported { .. })),
                "{r:?}"
            );
        }
        // The flag changes latency only: answers still arrive.
        let t = target(&l, p, |p| {
            p.vals[0] = getppid_raw();
            0
        });
        let n = l.recv().expect("recv");
        check!(p, l.respond(n.id, Reply::Value(3)).is_ok());
        check!(p, exited_ok(wait(t)));
        check!(p, p.vals[0] == 3);
        0
    });
}

#[test]
fn a_parent_takes_the_listener_its_child_installed() {
    case(|p| {
        let page = p as *mut Page;
        let (t, _) = fork_run(|| {
            // SAFETY: the shared page, as in `target`.
            let p = unsafe { &mut *page };
            let l = listener_on_getppid();
            // Publish the number before the call blocks; the volatile write
            // keeps it ahead of the call.
            // SAFETY: a field of the live shared page.
            unsafe { std::ptr::write_volatile(&mut p.published, i64::from(l.as_raw_fd()) + 1) };
            p.vals[0] = getppid_raw();
            drop(l);
            0
        });
        let mut fd = 0;
        for _ in 0..10_000 {
            // SAFETY: reads a field of the shared page.
            fd = unsafe { std::ptr::read_volatile(&p.published) };
            if fd != 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        check!(p, fd != 0);
        let l = match Listener::from_process(t, (fd - 1) as i32) {
            Ok(l) => l,
            Err(e) => return fail(p, &format!("from_process: {e}")),
        };
        let n = l.recv().expect("recv");
        check!(p, n.pid as i32 == t);
        check!(p, l.respond(n.id, Reply::Value(99)).is_ok());
        check!(p, exited_ok(wait(t)));
        check!(p, p.vals[0] == 99);
        // This process does not run the filter: with the target gone it
        // has no users, and the listener says so.
        let r = l.wait(Some(Duration::from_secs(10)));
        check!(p, r == Ok(Ready::NoUsers), "{r:?}");
        // A descriptor that is not a listener is refused.
        let mut fds = [0; 2];
        // SAFETY: pipe writes two descriptors into `fds`.
        check!(p, unsafe { libc::pipe(fds.as_mut_ptr()) } == 0);
        let r = Listener::from_process(std::process::id() as i32, fds[0]);
        check!(p, matches!(r, Err(NotifyError::NotAListener)), "{r:?}");
        0
    });
}

#[test]
fn wait_times_out_with_nothing_pending() {
    case(|p| {
        let l = listener_on_getppid();
        // This process is a user of the filter: no HUP, no notification.
        let r = l.wait(Some(Duration::from_millis(20)));
        check!(p, r == Ok(Ready::Timeout), "{r:?}");
        0
    });
}
