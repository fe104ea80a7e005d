//! The raw calls of the user-notification supervisor and of a launcher:
//! the `SECCOMP_IOCTL_NOTIF_*` ioctls, `ppoll` on one descriptor,
//! `pidfd_open`, `pidfd_getfd` and `execve`.
//!
//! The ioctl numbers are computed from the kernel's `_IOC` rules for each
//! family of architectures ([`IocFamily`]); the safe wrappers pass
//! pointers to `#[repr(C)]` values of exactly the size the number encodes.

use core::ffi::{CStr, c_char};

use super::{
    Errno, OwnedFd, decode, nr, syscall2_readonly, syscall3, syscall3_readonly, syscall4, syscall5,
};
use crate::abi::Abi;
use crate::data::SeccompData;

/// How an architecture lays out an ioctl number (`include/uapi/asm*/ioctl.h`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IocFamily {
    /// asm-generic: 2 direction bits at 30 (write 1, read 2), 14 size bits
    /// at 16. Most architectures.
    Generic,
    /// mips, powerpc, sparc, alpha: 3 direction bits at 29 (none 1, read
    /// 2, write 4), 13 size bits at 16.
    ThreeBit,
    /// parisc: the generic layout with read and write swapped (write 2,
    /// read 1).
    Parisc,
}

/// The direction of an ioctl, as `_IOC_DIR` names it from userspace's side.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IocDir {
    /// `_IO`: no data.
    None,
    /// `_IOR`: the kernel writes, userspace reads.
    Read,
    /// `_IOW`: userspace writes, the kernel reads.
    Write,
    /// `_IOWR`: both.
    ReadWrite,
}

impl IocFamily {
    /// The family of `abi`'s kernel.
    pub const fn of(abi: Abi) -> IocFamily {
        match abi {
            Abi::Mips
            | Abi::Mipsel
            | Abi::Mips64
            | Abi::Mipsel64
            | Abi::Mips64n32
            | Abi::Mipsel64n32
            | Abi::Ppc
            | Abi::Ppc64
            | Abi::Ppc64le => IocFamily::ThreeBit,
            Abi::Parisc | Abi::Parisc64 => IocFamily::Parisc,
            _ => IocFamily::Generic,
        }
    }

    /// The family of the architecture being compiled for.
    pub const NATIVE: IocFamily = if cfg!(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "mips32r6",
        target_arch = "mips64r6",
        target_arch = "powerpc",
        target_arch = "powerpc64",
        target_arch = "sparc",
        target_arch = "sparc64",
    )) {
        IocFamily::ThreeBit
    } else {
        IocFamily::Generic
    };

    /// `_IOC(dir, ty, nr, size)` for this family; `None` when `size` does
    /// not fit the size field.
    pub const fn ioc(self, dir: IocDir, ty: u8, nr: u8, size: u32) -> Option<u32> {
        let (dir_shift, size_bits, none, read, write) = match self {
            IocFamily::Generic => (30, 14, 0u32, 2u32, 1u32),
            IocFamily::ThreeBit => (29, 13, 1, 2, 4),
            IocFamily::Parisc => (30, 14, 0, 1, 2),
        };
        if size >= 1 << size_bits {
            return None;
        }
        let d = match dir {
            IocDir::None => none,
            IocDir::Read => read,
            IocDir::Write => write,
            IocDir::ReadWrite => read | write,
        };
        Some((d << dir_shift) | (size << 16) | ((ty as u32) << 8) | nr as u32)
    }

    /// The seccomp notification ioctls of this family.
    pub const fn notif_ioctls(self) -> NotifIoctls {
        const fn get(v: Option<u32>) -> u32 {
            match v {
                Some(v) => v,
                None => 0,
            }
        }
        let t = b'!';
        NotifIoctls {
            recv: get(self.ioc(IocDir::ReadWrite, t, 0, NOTIF_SIZE)),
            send: get(self.ioc(IocDir::ReadWrite, t, 1, NOTIF_RESP_SIZE)),
            id_valid: get(self.ioc(IocDir::Write, t, 2, 8)),
            addfd: get(self.ioc(IocDir::Write, t, 3, NOTIF_ADDFD_SIZE)),
            set_flags: get(self.ioc(IocDir::Write, t, 4, 8)),
        }
    }
}

/// `sizeof(struct seccomp_notif)`.
pub const NOTIF_SIZE: u32 = 80;
/// `sizeof(struct seccomp_notif_resp)`.
pub const NOTIF_RESP_SIZE: u32 = 24;
/// `sizeof(struct seccomp_notif_addfd)`.
pub const NOTIF_ADDFD_SIZE: u32 = 24;

/// The `SECCOMP_IOCTL_NOTIF_*` numbers of one family.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NotifIoctls {
    /// `SECCOMP_IOCTL_NOTIF_RECV`: `_IOWR('!', 0, struct seccomp_notif)`.
    pub recv: u32,
    /// `SECCOMP_IOCTL_NOTIF_SEND`: `_IOWR('!', 1, struct seccomp_notif_resp)`.
    pub send: u32,
    /// `SECCOMP_IOCTL_NOTIF_ID_VALID`: `_IOW('!', 2, __u64)`.
    pub id_valid: u32,
    /// `SECCOMP_IOCTL_NOTIF_ADDFD`: `_IOW('!', 3, struct seccomp_notif_addfd)`.
    pub addfd: u32,
    /// `SECCOMP_IOCTL_NOTIF_SET_FLAGS`: `_IOW('!', 4, __u64)` (Linux 6.6).
    pub set_flags: u32,
}

/// The ioctl numbers of the running architecture.
pub const IOCTLS: NotifIoctls = IocFamily::NATIVE.notif_ioctls();

/// `struct seccomp_notif`: one notified call.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RawNotif {
    /// The cookie a reply names.
    pub id: u64,
    /// The calling thread's id, in the supervisor's pid namespace (0 if
    /// not visible there).
    pub pid: u32,
    /// Always 0 so far.
    pub flags: u32,
    /// The call as the filter saw it.
    pub data: SeccompData,
}

/// `struct seccomp_notif_resp`.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RawResp {
    /// The notification's id.
    pub id: u64,
    /// The call's return value (when `error` is 0).
    pub val: i64,
    /// A negative errno, or 0.
    pub error: i32,
    /// `SECCOMP_USER_NOTIF_FLAG_CONTINUE` or 0.
    pub flags: u32,
}

/// `struct seccomp_notif_addfd`.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RawAddFd {
    /// The notification's id.
    pub id: u64,
    /// `SECCOMP_ADDFD_FLAG_SETFD` and/or `SECCOMP_ADDFD_FLAG_SEND`.
    pub flags: u32,
    /// The supervisor's descriptor to copy.
    pub srcfd: u32,
    /// The number in the target with SETFD (else 0).
    pub newfd: u32,
    /// `O_CLOEXEC` or 0.
    pub newfd_flags: u32,
}

static_assertions::const_assert_eq!(core::mem::size_of::<RawNotif>(), NOTIF_SIZE as usize);
static_assertions::const_assert_eq!(core::mem::size_of::<RawResp>(), NOTIF_RESP_SIZE as usize);
static_assertions::const_assert_eq!(core::mem::size_of::<RawAddFd>(), NOTIF_ADDFD_SIZE as usize);

/// `SECCOMP_USER_NOTIF_FLAG_CONTINUE`.
pub const USER_NOTIF_FLAG_CONTINUE: u32 = 1;
/// `SECCOMP_ADDFD_FLAG_SETFD`.
pub const ADDFD_FLAG_SETFD: u32 = 1;
/// `SECCOMP_ADDFD_FLAG_SEND`.
pub const ADDFD_FLAG_SEND: u32 = 2;
/// `SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP`.
pub const USER_NOTIF_FD_SYNC_WAKE_UP: u64 = 1;

/// `NOTIF_RECV`: waits for a notification (unless the descriptor is
/// non-blocking) and returns it. The buffer is zeroed first, as the kernel
/// requires.
///
/// # Errors
/// The kernel's errno: `ENOENT` when the caller went away before the
/// notification was read, `EINTR`, `ENOSYS`-free (a filter without users
/// makes it block; poll for HUP), `EINVAL` for a buffer that is not zeroed.
#[inline]
pub fn notif_recv(fd: i32) -> Result<RawNotif, Errno> {
    let mut n = RawNotif::default();
    // SAFETY: the kernel writes `struct seccomp_notif` (80 bytes, the size
    // the ioctl number encodes) into `n`, a live, writable local of that
    // size and layout.
    decode(unsafe {
        syscall3(
            nr::IOCTL,
            fd as usize,
            IOCTLS.recv as usize,
            &mut n as *mut RawNotif as usize,
        )
    })?;
    Ok(n)
}

/// `NOTIF_SEND`: replies to a notification.
///
/// # Errors
/// The kernel's errno: `ENOENT` (no such id, or the caller went away),
/// `EINPROGRESS` (already replied), `EINVAL` (bad flags, or CONTINUE with a
/// value or error).
#[inline]
pub fn notif_send(fd: i32, resp: &RawResp) -> Result<(), Errno> {
    // SAFETY: the kernel reads `struct seccomp_notif_resp` (24 bytes) from
    // the reference; the ioctl is _IOWR but SEND writes nothing back.
    decode(unsafe {
        syscall3_readonly(
            nr::IOCTL,
            fd as usize,
            IOCTLS.send as usize,
            resp as *const RawResp as usize,
        )
    })
    .map(|_| ())
}

/// `NOTIF_ID_VALID`: `Ok(())` while the notification `id` is pending.
///
/// # Errors
/// `ENOENT` when it is not (the caller died, or it was answered).
#[inline]
pub fn notif_id_valid(fd: i32, id: u64) -> Result<(), Errno> {
    // SAFETY: the kernel reads one u64 from a live local.
    decode(unsafe {
        syscall3_readonly(
            nr::IOCTL,
            fd as usize,
            IOCTLS.id_valid as usize,
            &id as *const u64 as usize,
        )
    })
    .map(|_| ())
}

/// `NOTIF_ADDFD`: copies a descriptor into the notified process; returns
/// its number there (with SEND, the notification is also answered with
/// that number).
///
/// # Errors
/// The kernel's errno (`ENOENT`, `EINPROGRESS`, `EBADF`, `EMFILE`, ...).
#[inline]
pub fn notif_addfd(fd: i32, addfd: &RawAddFd) -> Result<i32, Errno> {
    // SAFETY: the kernel reads `struct seccomp_notif_addfd` (24 bytes)
    // from the reference.
    decode(unsafe {
        syscall3_readonly(
            nr::IOCTL,
            fd as usize,
            IOCTLS.addfd as usize,
            addfd as *const RawAddFd as usize,
        )
    })
    .map(|v| v as i32)
}

/// `NOTIF_SET_FLAGS` (Linux 6.6).
///
/// # Errors
/// `EINVAL` for an unknown flag; `ENOTTY` (or `EINVAL`) on kernels
/// without the ioctl.
#[inline]
pub fn notif_set_flags(fd: i32, flags: u64) -> Result<(), Errno> {
    // SAFETY: the ioctl is _IOW(__u64) in name only: the kernel takes the
    // flags from the argument itself and reads no memory.
    decode(unsafe {
        syscall3_readonly(
            nr::IOCTL,
            fd as usize,
            IOCTLS.set_flags as usize,
            flags as usize,
        )
    })
    .map(|_| ())
}

/// `POLLIN`.
pub const POLLIN: i16 = 0x1;
/// `POLLERR`.
pub const POLLERR: i16 = 0x8;
/// `POLLHUP`.
pub const POLLHUP: i16 = 0x10;

#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

/// The 64-bit `struct __kernel_timespec`.
#[repr(C)]
struct Timespec64 {
    sec: i64,
    nsec: i64,
}

/// `ppoll` on one descriptor for `POLLIN`: the returned events (0 on
/// timeout). `timeout_ns` `None` waits for ever.
///
/// # Errors
/// The kernel's errno (`EINTR`, `EINVAL`, ...).
#[inline]
pub fn poll_in(fd: i32, timeout_ns: Option<u64>) -> Result<i16, Errno> {
    let mut pfd = PollFd {
        fd,
        events: POLLIN,
        revents: 0,
    };
    let ts = timeout_ns.map(|ns| Timespec64 {
        sec: (ns / 1_000_000_000) as i64,
        nsec: (ns % 1_000_000_000) as i64,
    });
    let ts_ptr = match &ts {
        Some(t) => t as *const Timespec64 as usize,
        None => 0,
    };
    // SAFETY: the kernel reads and writes one `struct pollfd` in `pfd`,
    // reads the timespec behind `ts_ptr` when it is not NULL (a live local
    // in the 64-bit layout the chosen call number expects), and no signal
    // mask (NULL, size 8).
    let n = decode(unsafe { syscall5(PPOLL, &mut pfd as *mut PollFd as usize, 1, ts_ptr, 0, 8) })?;
    Ok(if n == 0 { 0 } else { pfd.revents })
}

/// `pidfd_open(pid, 0)`: a descriptor for process `pid`.
///
/// # Errors
/// `ESRCH`, `EINVAL` (not a thread-group leader), `ENOSYS` before 5.3.
#[inline]
pub fn pidfd_open(pid: i32) -> Result<OwnedFd, Errno> {
    // SAFETY: integer arguments only.
    let fd = decode(unsafe { syscall2_readonly(PIDFD_OPEN, pid as usize, 0) })?;
    Ok(OwnedFd { fd: fd as i32 })
}

/// `pidfd_getfd(pidfd, target_fd, 0)`: a copy of descriptor `target_fd`
/// of the process `pidfd` names (close-on-exec set).
///
/// # Errors
/// `EBADF` (no such descriptor there), `EPERM` (no ptrace access),
/// `ESRCH` (the process is gone), `ENOSYS` before 5.6.
#[inline]
pub fn pidfd_getfd(pidfd: &OwnedFd, target_fd: i32) -> Result<OwnedFd, Errno> {
    // SAFETY: integer arguments only.
    let fd = decode(unsafe {
        syscall3_readonly(
            PIDFD_GETFD,
            pidfd.as_raw_fd() as usize,
            target_fd as usize,
            0,
        )
    })?;
    Ok(OwnedFd { fd: fd as i32 })
}

/// A NULL-terminated array of C strings, as `execve` takes for `argv` and
/// `envp`, built in a buffer the caller provides (no heap).
#[derive(Debug)]
pub struct CStrArray<'a> {
    ptrs: &'a [*const c_char],
}

impl<'a> CStrArray<'a> {
    /// Points `buf` at `strs` and ends it with NULL. `None` when `buf` has
    /// fewer than `strs.len() + 1` slots.
    pub fn new(strs: &[&'a CStr], buf: &'a mut [*const c_char]) -> Option<CStrArray<'a>> {
        let n = strs.len();
        let slots = buf.get_mut(..n.checked_add(1)?)?;
        for (slot, s) in slots.iter_mut().zip(strs) {
            *slot = s.as_ptr();
        }
        *slots.last_mut()? = core::ptr::null();
        Some(CStrArray { ptrs: slots })
    }
}

/// `execve(path, argv, envp)`: replaces the process image. Returns only on
/// failure, with the kernel's errno.
#[inline]
pub fn execve(path: &CStr, argv: &CStrArray<'_>, envp: &CStrArray<'_>) -> Errno {
    // SAFETY: `path` is NUL-terminated; `argv.ptrs` and `envp.ptrs` are
    // NULL-terminated arrays (by `CStrArray::new`) of pointers to
    // NUL-terminated strings that their borrows keep alive. On success the
    // call does not return; the kernel only reads these.
    let ret = unsafe {
        syscall4(
            EXECVE,
            path.as_ptr() as usize,
            argv.ptrs.as_ptr() as usize,
            envp.ptrs.as_ptr() as usize,
            0,
        )
    };
    match decode(ret) {
        Err(e) => e,
        Ok(_) => Errno::EINVAL,
    }
}

/// Sets signal `sig`'s disposition back to the default (`SIG_DFL`, no
/// flags, empty mask), as a launcher does before `execve`: an ignored
/// signal stays ignored across `execve` (Rust's runtime ignores SIGPIPE).
///
/// # Errors
/// `EINVAL` for a bad signal number (or SIGKILL, SIGSTOP).
#[inline]
pub fn reset_signal(sig: i32) -> Result<(), Errno> {
    // An all-zero `struct sigaction` is SIG_DFL with no flags and an empty
    // mask whatever the order of its fields on the architecture.
    let act = [0u64; 8];
    let sigset_size: usize = if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
        16
    } else {
        8
    };
    // SAFETY: the kernel reads one `struct sigaction` (at most 40 bytes
    // on any architecture) from `act`, 64 live bytes; the old-action
    // pointer is NULL, so it writes nothing.
    decode(unsafe {
        syscall4(
            nr::RT_SIGACTION,
            sig as usize,
            act.as_ptr() as usize,
            0,
            sigset_size,
        )
    })
    .map(|_| ())
}

/// The number of [`rendezvous`]: 4095 above the target's first call
/// number, which no kernel assigns (the tables end below 1000; x32's
/// carry their bit).
pub const RENDEZVOUS_NR: usize = RENDEZVOUS;

/// Makes call [`RENDEZVOUS_NR`] with `cookie` as its first argument. No
/// kernel has that call, so it does nothing and fails with `ENOSYS`, but
/// a filter sees it: a filter that sends it to its listener makes it a
/// point where the caller waits until a supervisor answers.
///
/// # Errors
/// `ENOSYS`, or whatever the filters or the supervisor answer.
#[inline]
pub fn rendezvous(cookie: u64) -> Result<usize, Errno> {
    // SAFETY: an unassigned number: the kernel runs no call, only the
    // filters, which read registers and no memory of ours.
    decode(unsafe { syscall2_readonly(RENDEZVOUS, cookie as usize, 0) })
}

// Numbers of the calls above for the target.
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
mod n {
    pub const EXECVE: usize = 59;
    pub const PPOLL: usize = 271;
    pub const PIDFD_OPEN: usize = 434;
    pub const PIDFD_GETFD: usize = 438;
    pub const RENDEZVOUS: usize = 4095;
}
#[cfg(all(target_arch = "x86_64", target_pointer_width = "32"))]
mod n {
    const B: usize = 0x4000_0000;
    pub const EXECVE: usize = B + 520;
    pub const PPOLL: usize = B + 271;
    pub const PIDFD_OPEN: usize = B + 434;
    pub const PIDFD_GETFD: usize = B + 438;
    pub const RENDEZVOUS: usize = B + 4095;
}
#[cfg(any(target_arch = "x86", target_arch = "arm"))]
mod n {
    pub const EXECVE: usize = 11;
    /// `ppoll_time64`.
    pub const PPOLL: usize = 414;
    pub const PIDFD_OPEN: usize = 434;
    pub const PIDFD_GETFD: usize = 438;
    pub const RENDEZVOUS: usize = 4095;
}
#[cfg(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "loongarch64"
))]
mod n {
    pub const EXECVE: usize = 221;
    pub const PPOLL: usize = 73;
    pub const PIDFD_OPEN: usize = 434;
    pub const PIDFD_GETFD: usize = 438;
    pub const RENDEZVOUS: usize = 4095;
}
#[cfg(target_arch = "riscv32")]
mod n {
    pub const EXECVE: usize = 221;
    /// `ppoll_time64`: rv32 has no 32-bit time calls.
    pub const PPOLL: usize = 414;
    pub const PIDFD_OPEN: usize = 434;
    pub const PIDFD_GETFD: usize = 438;
    pub const RENDEZVOUS: usize = 4095;
}
#[cfg(target_arch = "s390x")]
mod n {
    pub const EXECVE: usize = 11;
    pub const PPOLL: usize = 302;
    pub const PIDFD_OPEN: usize = 434;
    pub const PIDFD_GETFD: usize = 438;
    pub const RENDEZVOUS: usize = 4095;
}
#[cfg(target_arch = "powerpc64")]
mod n {
    pub const EXECVE: usize = 11;
    pub const PPOLL: usize = 281;
    pub const PIDFD_OPEN: usize = 434;
    pub const PIDFD_GETFD: usize = 438;
    pub const RENDEZVOUS: usize = 4095;
}
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "arm",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "loongarch64",
    target_arch = "s390x",
    target_arch = "powerpc64",
)))]
mod n {
    // The module's `compile_error!` (unsupported.rs) stops such builds.
    pub const EXECVE: usize = 0;
    pub const PPOLL: usize = 0;
    pub const PIDFD_OPEN: usize = 0;
    pub const PIDFD_GETFD: usize = 0;
    pub const RENDEZVOUS: usize = 4095;
}
use n::{EXECVE, PIDFD_GETFD, PIDFD_OPEN, PPOLL, RENDEZVOUS};
