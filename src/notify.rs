//! The user-notification supervisor: the other end of
//! [`Action::UserNotif`](crate::Action::UserNotif).
//!
//! A filter installed with [`install_listener`](crate::install_listener)
//! hands back a [`Listener`]. Each call the filter answers with
//! `USER_NOTIF` then waits, in the calling thread, until a supervisor
//! holding the listener replies:
//!
//! ```text
//!  target thread                     supervisor (Listener)
//!  ─────────────                     ─────────────────────
//!  getppid() ──filter: USER_NOTIF──▶ wait()  -> Ready::Notification
//!     (blocked)                      recv()  -> Notification { id, pid, data }
//!                                    [read /proc/PID/mem, decide ...]
//!                                    is_valid(id)?   <- after reading, before acting
//!  returns 77 ◀───────────────────── respond(id, Reply::Value(77))
//! ```
//!
//! - [`Listener::recv`] reads one notification (the buffer zeroed, as the
//!   kernel requires); [`Listener::respond`] answers it with a value, an
//!   errno, or [`Reply::Continue`] (the kernel runs the call as if the
//!   filter had allowed it).
//! - [`Listener::add_fd`] puts one of the supervisor's descriptors into
//!   the target, optionally answering the call with its number.
//! - [`Listener::wait`] polls: a notification is pending, or the filter has
//!   no users left (every task that ran it is gone: stop supervising).
//!   `recv` itself blocks for ever on a filter without users, so a
//!   supervisor loop polls first.
//! - Closing (dropping) the listener makes every pending and future
//!   notified call of the filter fail with `ENOSYS` in the target.
//!
//! # Time of check and time of use
//!
//! A notification carries register values only. What a pointer argument
//! points at (a path, a `sockaddr`) must be read from the target's memory
//! (`/proc/PID/mem`, `process_vm_readv`), and the target can die, and its
//! pid be reused, between `recv` and that read. **After reading the
//! target's memory and before acting on what was read, call
//! [`Listener::is_valid`]**: if the id is still valid, the thread is still
//! blocked in this call, so the pid still names it and the memory read was
//! its memory. Without that check a supervisor can act on another
//! process's data. Other threads of the target can still change the
//! memory after the read, so a supervisor must act on its own copy (open
//! the path it read, inject the result with [`Listener::add_fd`]) and
//! never answer [`Reply::Continue`] to let the kernel re-read it: CONTINUE
//! is only safe when the decision depends on nothing the target can
//! change.

use core::fmt;
use core::time::Duration;

use crate::abi::Abi;
use crate::data::SeccompData;
pub use crate::install::Listener;
use crate::policy::abi_of;
use crate::sys::notify as raw;
use crate::sys::{Errno, OwnedFd};
use crate::syscall::Syscall;

pub use crate::sys::notify::{IocDir, IocFamily, NotifIoctls};

/// One notified call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Notification {
    /// The cookie that replies and checks name.
    pub id: u64,
    /// The calling thread's id, in the supervisor's pid namespace (0 when
    /// the thread is not visible there).
    pub pid: u32,
    /// The kernel's flags (none are defined).
    pub flags: u32,
    /// The call as the filter saw it.
    pub data: SeccompData,
}

impl Notification {
    /// The ABI of the call (`None` for an audit arch the crate does not
    /// know).
    pub const fn abi(&self) -> Option<Abi> {
        abi_of(self.data.arch, self.data.nr as u32)
    }

    /// The call's name, where the crate's tables know it.
    pub const fn syscall(&self) -> Option<Syscall> {
        match self.abi() {
            Some(abi) => Syscall::from_nr(abi, self.data.nr as u32),
            None => None,
        }
    }
}

/// A reply to a notification.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Reply {
    /// The call returns this value without running.
    Value(i64),
    /// The call fails with this errno without running (0: returns 0).
    Errno(u16),
    /// The kernel runs the call as if the filter had allowed it
    /// (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`; Linux 5.5). See the module's
    /// note on time of check and time of use.
    Continue,
}

/// How [`Listener::add_fd`] places a descriptor in the target.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct AddFd {
    at: Option<u32>,
    cloexec: bool,
    send: bool,
}

impl AddFd {
    /// The lowest free number, no close-on-exec, no reply.
    pub const fn new() -> Self {
        AddFd {
            at: None,
            cloexec: false,
            send: false,
        }
    }
    /// At number `fd` exactly, replacing what is there
    /// (`SECCOMP_ADDFD_FLAG_SETFD`).
    pub const fn at(self, fd: u32) -> Self {
        AddFd {
            at: Some(fd),
            ..self
        }
    }
    /// With close-on-exec (`O_CLOEXEC`).
    pub const fn cloexec(self) -> Self {
        AddFd {
            cloexec: true,
            ..self
        }
    }
    /// And answer the notification with the new number, atomically
    /// (`SECCOMP_ADDFD_FLAG_SEND`; Linux 5.14).
    pub const fn send(self) -> Self {
        AddFd { send: true, ..self }
    }
}

/// `O_CLOEXEC`: 0o2000000 everywhere the crate runs (and on mips), but
/// 0x400000 on sparc.
const O_CLOEXEC: u32 = if cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
    0x40_0000
} else {
    0o2_000_000
};

/// What [`Listener::wait`] saw.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Ready {
    /// A notification is pending: [`Listener::recv`] will not block.
    Notification,
    /// The filter has no users left and nothing is pending: no
    /// notification will ever come.
    NoUsers,
    /// The timeout passed.
    Timeout,
}

/// A supervisor call that failed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum NotifyError {
    /// `ENOENT`: the notification is gone: the target died (or was
    /// interrupted by a fatal signal), or the id was never pending.
    Gone,
    /// `EINPROGRESS`: the notification was already answered.
    AlreadyReplied,
    /// `ENOSYS`: the filter has no listener or no users.
    NoUsers,
    /// `EINTR`: a signal interrupted the wait.
    Interrupted,
    /// The kernel lacks this operation (`SET_FLAGS` before Linux 6.6,
    /// `pidfd_getfd` before 5.6).
    Unsupported {
        /// The operation, as the kernel names it.
        op: &'static str,
    },
    /// The descriptor is not a seccomp listener.
    NotAListener,
    /// Another errno.
    Os(Errno),
}

impl NotifyError {
    const fn from_errno(e: Errno) -> NotifyError {
        match e {
            Errno::ENOENT => NotifyError::Gone,
            Errno::EINPROGRESS => NotifyError::AlreadyReplied,
            Errno::ENOSYS => NotifyError::NoUsers,
            Errno::EINTR => NotifyError::Interrupted,
            e => NotifyError::Os(e),
        }
    }
}

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotifyError::Gone => f.write_str(
                "the notification is gone (the target died or the id is not pending) (ENOENT)",
            ),
            NotifyError::AlreadyReplied => {
                f.write_str("the notification was already answered (EINPROGRESS)")
            }
            NotifyError::NoUsers => f.write_str("the filter has no listener or users (ENOSYS)"),
            NotifyError::Interrupted => f.write_str("interrupted by a signal (EINTR)"),
            NotifyError::Unsupported { op } => write!(f, "this kernel has no {op}"),
            NotifyError::NotAListener => f.write_str("not a seccomp notification listener"),
            NotifyError::Os(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for NotifyError {}

impl Listener {
    /// Takes a descriptor as a listener, after checking with the kernel
    /// that it is one.
    ///
    /// # Errors
    /// [`NotifyError::NotAListener`] (the descriptor is then closed).
    pub fn from_fd(fd: OwnedFd) -> Result<Listener, NotifyError> {
        // Id 0 is never issued while a filter is fresh, and any id is
        // answered with ENOENT or success by a listener; other files
        // answer this ioctl with ENOTTY or EINVAL.
        match raw::notif_id_valid(fd.as_raw_fd(), 0) {
            Ok(()) | Err(Errno::ENOENT) => Ok(Listener(fd)),
            Err(_) => Err(NotifyError::NotAListener),
        }
    }

    /// Copies descriptor `fd` of process `pid` (a listener it installed)
    /// with `pidfd_getfd` (Linux 5.6; needs ptrace access to `pid`, which
    /// a parent has to its child).
    ///
    /// # Errors
    /// [`NotifyError::Unsupported`], [`NotifyError::NotAListener`], or the
    /// kernel's errno (`ESRCH`, `EBADF`, `EPERM`).
    pub fn from_process(pid: i32, fd: i32) -> Result<Listener, NotifyError> {
        let unsupported = |e: Errno, op| {
            if e == Errno::ENOSYS {
                NotifyError::Unsupported { op }
            } else {
                NotifyError::Os(e)
            }
        };
        let pidfd = raw::pidfd_open(pid).map_err(|e| unsupported(e, "pidfd_open"))?;
        let fd = raw::pidfd_getfd(&pidfd, fd).map_err(|e| unsupported(e, "pidfd_getfd"))?;
        Listener::from_fd(fd)
    }

    /// Waits until a notification is pending or the filter has no users
    /// (`ppoll`), at most `timeout` (`None`: for ever).
    ///
    /// # Errors
    /// [`NotifyError::Interrupted`], or the kernel's errno.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<Ready, NotifyError> {
        let ns = timeout.map(|t| u64::try_from(t.as_nanos()).unwrap_or(u64::MAX));
        let ev = raw::poll_in(self.as_raw_fd(), ns).map_err(NotifyError::from_errno)?;
        Ok(if ev & raw::POLLIN != 0 {
            Ready::Notification
        } else if ev & (raw::POLLHUP | raw::POLLERR) != 0 {
            Ready::NoUsers
        } else {
            Ready::Timeout
        })
    }

    /// Reads one notification, blocking until one is pending (for ever if
    /// the filter has no users: [`Listener::wait`] first).
    ///
    /// # Errors
    /// [`NotifyError::Gone`] when the caller died between the wake-up and
    /// the read; [`NotifyError::Interrupted`]; the kernel's errno.
    pub fn recv(&self) -> Result<Notification, NotifyError> {
        let n = raw::notif_recv(self.as_raw_fd()).map_err(NotifyError::from_errno)?;
        Ok(Notification {
            id: n.id,
            pid: n.pid,
            flags: n.flags,
            data: n.data,
        })
    }

    /// Answers notification `id`.
    ///
    /// # Errors
    /// [`NotifyError::Gone`] (the target died, or no such id),
    /// [`NotifyError::AlreadyReplied`], or the kernel's errno (`EINVAL`
    /// for CONTINUE before Linux 5.5).
    pub fn respond(&self, id: u64, reply: Reply) -> Result<(), NotifyError> {
        let (val, error, flags) = match reply {
            Reply::Value(v) => (v, 0, 0),
            Reply::Errno(e) => (0, -i32::from(e), 0),
            Reply::Continue => (0, 0, raw::USER_NOTIF_FLAG_CONTINUE),
        };
        let resp = raw::RawResp {
            id,
            val,
            error,
            flags,
        };
        raw::notif_send(self.as_raw_fd(), &resp).map_err(NotifyError::from_errno)
    }

    /// Whether notification `id` is still pending: its thread is still
    /// blocked in the call, so its pid still names it. Call it after
    /// reading the target's memory and before acting on what was read
    /// (see the module's note on time of check and time of use).
    ///
    /// # Errors
    /// The kernel's errno other than `ENOENT` (which is `Ok(false)`).
    pub fn is_valid(&self, id: u64) -> Result<bool, NotifyError> {
        match raw::notif_id_valid(self.as_raw_fd(), id) {
            Ok(()) => Ok(true),
            Err(Errno::ENOENT) => Ok(false),
            Err(e) => Err(NotifyError::from_errno(e)),
        }
    }

    /// Copies the supervisor's descriptor `src` into the target of
    /// notification `id` and returns its number there (Linux 5.9). With
    /// [`AddFd::send`] the call is also answered with that number.
    ///
    /// # Errors
    /// [`NotifyError::Gone`], [`NotifyError::AlreadyReplied`], or the
    /// kernel's errno (`EBADF` for `src`, `EMFILE` in the target).
    pub fn add_fd(&self, id: u64, src: i32, how: AddFd) -> Result<i32, NotifyError> {
        let src = u32::try_from(src).map_err(|_| NotifyError::Os(Errno::EBADF))?;
        let mut flags = 0;
        if how.at.is_some() {
            flags |= raw::ADDFD_FLAG_SETFD;
        }
        if how.send {
            flags |= raw::ADDFD_FLAG_SEND;
        }
        let req = raw::RawAddFd {
            id,
            flags,
            srcfd: src,
            newfd: how.at.unwrap_or(0),
            newfd_flags: if how.cloexec { O_CLOEXEC } else { 0 },
        };
        raw::notif_addfd(self.as_raw_fd(), &req).map_err(NotifyError::from_errno)
    }

    /// Asks the kernel to wake the target on the supervisor's CPU when it
    /// replies (`SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP`, Linux 6.6): lower
    /// latency for supervisors that answer at once.
    ///
    /// # Errors
    /// [`NotifyError::Unsupported`] on kernels without `NOTIF_SET_FLAGS`
    /// (6.1 answers `EINVAL`), or the kernel's errno.
    pub fn set_sync_wakeup(&self) -> Result<(), NotifyError> {
        match raw::notif_set_flags(self.as_raw_fd(), raw::USER_NOTIF_FD_SYNC_WAKE_UP) {
            Ok(()) => Ok(()),
            Err(Errno::EINVAL | Errno::ENOTTY) => Err(NotifyError::Unsupported {
                op: "SECCOMP_IOCTL_NOTIF_SET_FLAGS",
            }),
            Err(e) => Err(NotifyError::from_errno(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_numbers_match_the_kernel_headers() {
        // The values the kernel's headers give (see the project's kernel
        // reference page): most arches, then the 3-bit-direction ones.
        let g = IocFamily::Generic.notif_ioctls();
        assert_eq!(
            [g.recv, g.send, g.id_valid, g.addfd, g.set_flags],
            [
                0xC050_2100,
                0xC018_2101,
                0x4008_2102,
                0x4018_2103,
                0x4008_2104
            ]
        );
        for fam in [IocFamily::ThreeBit, IocFamily::Parisc] {
            let t = fam.notif_ioctls();
            assert_eq!(
                [t.recv, t.send, t.id_valid, t.addfd, t.set_flags],
                [
                    0xC050_2100,
                    0xC018_2101,
                    0x8008_2102,
                    0x8018_2103,
                    0x8008_2104
                ],
                "{fam:?}"
            );
        }
    }

    #[test]
    fn ioc_encodes_each_field() {
        let g = IocFamily::Generic;
        assert_eq!(g.ioc(IocDir::None, b'T', 1, 0), Some(0x5401));
        // TCGETS2 on generic: _IOR('T', 0x2A, struct termios2 (44 bytes)).
        assert_eq!(g.ioc(IocDir::Read, b'T', 0x2A, 44), Some(0x802C_542A));
        // On powerpc _IO has its own direction bit (1 << 29).
        assert_eq!(
            IocFamily::ThreeBit.ioc(IocDir::None, b'T', 1, 0),
            Some(0x2000_5401)
        );
        assert_eq!(
            IocFamily::ThreeBit.ioc(IocDir::Read, b'T', 0x2A, 44),
            Some(0x402C_542A)
        );
        assert_eq!(
            IocFamily::Parisc.ioc(IocDir::Read, b'T', 0x2A, 44),
            Some(0x402C_542A)
        );
        // The size field: 14 bits, 13 on the 3-bit families.
        assert_eq!(g.ioc(IocDir::Write, 0, 0, 0x3FFF), Some(0x7FFF_0000));
        assert_eq!(g.ioc(IocDir::Write, 0, 0, 0x4000), None);
        assert_eq!(IocFamily::ThreeBit.ioc(IocDir::Write, 0, 0, 0x2000), None);
    }

    #[test]
    fn families_per_abi() {
        assert_eq!(IocFamily::of(Abi::X86_64), IocFamily::Generic);
        assert_eq!(IocFamily::of(Abi::Aarch64), IocFamily::Generic);
        assert_eq!(IocFamily::of(Abi::S390x), IocFamily::Generic);
        assert_eq!(IocFamily::of(Abi::Mipsel64), IocFamily::ThreeBit);
        assert_eq!(IocFamily::of(Abi::Ppc64le), IocFamily::ThreeBit);
        assert_eq!(IocFamily::of(Abi::Parisc), IocFamily::Parisc);
        if let Some(native) = Abi::NATIVE {
            assert_eq!(IocFamily::of(native), IocFamily::NATIVE);
        }
    }
}
