//! Raw Linux system calls: inline assembly, no libc.
//!
//! This module is the crate's only `unsafe` code. It gives
//!
//! - `syscall0` .. `syscall6` and `_readonly` variants: the bare system-call
//!   instruction of the target, one tiny function per argument count;
//! - [`nr`]: the numbers of the calls the crate makes, for the target's ABI;
//! - [`Errno`]: the error a call returned, decoded by the kernel's
//!   `-4095..=-1` rule, with the target's errno numbering;
//! - safe wrappers for exactly what the crate needs ([`getpid`], [`write()`],
//!   [`prctl_set_no_new_privs`], [`seccomp_set_mode_filter`], ...), and
//!   [`OwnedFd`], which closes its descriptor on drop;
//! - [`signal`]: the SIGSYS handler of [`crate::trap`] (`rt_sigaction`,
//!   the siginfo and ucontext layouts);
//! - [`entry!`](crate::entry): a `_start` for `#![no_std]`, `#![no_main]`
//!   static binaries, handing [`Args`] to a safe `fn(Args) -> i32`.
//!
//! One file per `target_arch` holds the assembly and the numbers:
//! x86_64 (with x32 numbering when `target_pointer_width = "32"`), x86,
//! aarch64, arm (ARM and Thumb mode), riscv64 and riscv32 (one file),
//! loongarch64, s390x and powerpc64. mips64 inline assembly is not stable
//! in Rust 1.95 (`asm_experimental_arch`), so mips targets, like every other
//! architecture, stop with a `compile_error!` instead of a silent fallback.
//! The module is compiled for `target_os = "linux"`, `"android"` and
//! `"none"` (a bare target such as `x86_64-unknown-none` can build a static
//! binary that runs on Linux); on other operating systems it is absent.
//!
//! # Safety
//!
//! The raw `syscallN` functions are `unsafe`: a system call can read or
//! write any memory its arguments point at, end the process, or change the
//! address space. Their callers must pass arguments that are valid for the
//! call, as the kernel's documentation of that call says.
//!
//! The assembly follows each architecture's Linux system-call convention:
//! the number and arguments in the registers the kernel reads, every
//! register the kernel may change declared as clobbered, `nostack` only
//! where the instruction does not touch the stack, and `readonly` (the
//! kernel may read memory but not write it) only in the `_readonly`
//! variants. No call is marked `nomem`: the kernel reads memory through
//! pointer arguments.
//!
//! The safe wrappers below are sound because each one passes pointers
//! derived from Rust references of the size the kernel reads or writes, or
//! no pointer at all. [`OwnedFd`] is only created from a descriptor the
//! kernel has just handed out.

#![allow(unsafe_code)]

mod errno;
pub use errno::Errno;

/// Writes `syscall0`..`syscall6` and their `_readonly` variants for an
/// arch whose calls are one instruction with the number in one register,
/// the first argument and the result sharing another, the other arguments
/// in five more, and a fixed set of registers the kernel may change.
/// (aarch64, riscv, loongarch64 and s390x; the arches with register
/// constraints of their own write theirs by hand.)
#[cfg(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "loongarch64",
    target_arch = "s390x"
))]
macro_rules! register_syscalls {
    (
        insn: $insn:literal,
        nr: $nr:tt,
        a0: $r0:tt,
        args: [$r1:tt, $r2:tt, $r3:tt, $r4:tt, $r5:tt],
        clobbers: [$($clob:tt),*],
        options: ($($opt:ident),*) $(,)?
    ) => {
        /// A raw system call without arguments (see the module's Safety section).
        ///
        /// # Safety
        /// `nr` must be a call that is valid without arguments.
        #[inline(always)]
        pub unsafe fn syscall0(nr: usize) -> usize {
            // SAFETY: forwarded to the caller.
            unsafe { syscall1(nr, 0) }
        }

        /// A raw system call without arguments that only reads memory.
        ///
        /// # Safety
        /// `nr` must be a call that is valid without arguments.
        #[inline(always)]
        pub unsafe fn syscall0_readonly(nr: usize) -> usize {
            // SAFETY: forwarded to the caller.
            unsafe { syscall1_readonly(nr, 0) }
        }

        register_syscalls!(@six $insn, $nr, $r0, [$($clob),*], ($($opt),*),
            [$r1, $r2, $r3, $r4, $r5],
            syscall1, syscall2, syscall3, syscall4, syscall5, syscall6);
        register_syscalls!(@six $insn, $nr, $r0, [$($clob),*], ($($opt,)* readonly),
            [$r1, $r2, $r3, $r4, $r5],
            syscall1_readonly, syscall2_readonly, syscall3_readonly,
            syscall4_readonly, syscall5_readonly, syscall6_readonly);
    };
    (@six $insn:literal, $nr:tt, $r0:tt, $clob:tt, $opt:tt,
        [$r1:tt, $r2:tt, $r3:tt, $r4:tt, $r5:tt],
        $n1:ident, $n2:ident, $n3:ident, $n4:ident, $n5:ident, $n6:ident) => {
        register_syscalls!(@one $insn, $nr, $r0, $clob, $opt, $n1());
        register_syscalls!(@one $insn, $nr, $r0, $clob, $opt, $n2(a1: $r1));
        register_syscalls!(@one $insn, $nr, $r0, $clob, $opt, $n3(a1: $r1, a2: $r2));
        register_syscalls!(@one $insn, $nr, $r0, $clob, $opt, $n4(a1: $r1, a2: $r2, a3: $r3));
        register_syscalls!(@one $insn, $nr, $r0, $clob, $opt,
            $n5(a1: $r1, a2: $r2, a3: $r3, a4: $r4));
        register_syscalls!(@one $insn, $nr, $r0, $clob, $opt,
            $n6(a1: $r1, a2: $r2, a3: $r3, a4: $r4, a5: $r5));
    };
    (@one $insn:literal, $nr:tt, $r0:tt, [$($clob:tt),*], ($($opt:ident),*),
        $name:ident($($a:ident: $reg:tt),*)) => {
        /// A raw system call (see the module's Safety section).
        ///
        /// # Safety
        /// The arguments must be valid for the call `nr` (pointers to live
        /// memory of the size the kernel reads or writes).
        #[inline(always)]
        pub unsafe fn $name(nr: usize, a0: usize $(, $a: usize)*) -> usize {
            let ret;
            // SAFETY: the caller guarantees the arguments are valid for `nr`;
            // the registers the kernel may change are declared clobbered.
            unsafe {
                core::arch::asm!(
                    $insn,
                    in($nr) nr,
                    inlateout($r0) a0 => ret,
                    $(in($reg) $a,)*
                    $(lateout($clob) _,)*
                    options($($opt),*),
                );
            }
            ret
        }
    };
}

#[cfg_attr(target_arch = "x86_64", path = "x86_64.rs")]
#[cfg_attr(target_arch = "x86", path = "x86.rs")]
#[cfg_attr(target_arch = "aarch64", path = "aarch64.rs")]
#[cfg_attr(target_arch = "arm", path = "arm.rs")]
#[cfg_attr(
    any(target_arch = "riscv64", target_arch = "riscv32"),
    path = "riscv.rs"
)]
#[cfg_attr(target_arch = "loongarch64", path = "loongarch64.rs")]
#[cfg_attr(target_arch = "s390x", path = "s390x.rs")]
#[cfg_attr(target_arch = "powerpc64", path = "powerpc64.rs")]
#[cfg_attr(
    not(any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "riscv64",
        target_arch = "riscv32",
        target_arch = "loongarch64",
        target_arch = "s390x",
        target_arch = "powerpc64",
    )),
    path = "unsupported.rs"
)]
mod arch;

#[cfg(any(
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "loongarch64"
))]
mod generic_nr;

pub use arch::nr;
pub use arch::{
    syscall0, syscall0_readonly, syscall1, syscall1_readonly, syscall2, syscall2_readonly,
    syscall3, syscall3_readonly, syscall4, syscall4_readonly, syscall5, syscall5_readonly,
    syscall6, syscall6_readonly,
};

use crate::bpf::SockFprog;

/// Decodes a raw return value: `-4095..=-1` is an error, anything else a
/// result.
#[inline]
pub const fn decode(ret: usize) -> Result<usize, Errno> {
    if ret > (-4096isize) as usize {
        Err(Errno::from_raw((ret as isize).wrapping_neg() as i32))
    } else {
        Ok(ret)
    }
}

/// `prctl` options the crate uses.
pub mod prctl {
    /// `PR_GET_SECCOMP`: the calling thread's seccomp mode (0, 1 or 2).
    pub const PR_GET_SECCOMP: usize = 21;
    /// `PR_SET_SECCOMP`: enter a seccomp mode (the pre-3.17 interface).
    pub const PR_SET_SECCOMP: usize = 22;
    /// `PR_SET_NO_NEW_PRIVS`.
    pub const PR_SET_NO_NEW_PRIVS: usize = 38;
    /// `PR_GET_NO_NEW_PRIVS`.
    pub const PR_GET_NO_NEW_PRIVS: usize = 39;
    /// `SECCOMP_MODE_FILTER`, the mode argument of `PR_SET_SECCOMP`.
    pub const SECCOMP_MODE_FILTER: usize = 2;
}

/// `seccomp(2)` operations.
pub mod seccomp_op {
    /// `SECCOMP_SET_MODE_STRICT`.
    pub const SET_MODE_STRICT: usize = 0;
    /// `SECCOMP_SET_MODE_FILTER`.
    pub const SET_MODE_FILTER: usize = 1;
    /// `SECCOMP_GET_ACTION_AVAIL`.
    pub const GET_ACTION_AVAIL: usize = 2;
    /// `SECCOMP_GET_NOTIF_SIZES`.
    pub const GET_NOTIF_SIZES: usize = 3;
    /// `SECCOMP_FILTER_FLAG_NEW_LISTENER`.
    pub const FLAG_NEW_LISTENER: u32 = 8;
}

/// The calling process's id. Cannot fail.
#[inline]
pub fn getpid() -> i32 {
    // SAFETY: getpid takes no arguments and touches no memory.
    unsafe { syscall0_readonly(nr::GETPID) as i32 }
}

/// The calling thread's id. Cannot fail.
#[inline]
pub fn gettid() -> i32 {
    // SAFETY: gettid takes no arguments and touches no memory.
    unsafe { syscall0_readonly(nr::GETTID) as i32 }
}

/// The parent process's id. Cannot fail.
#[inline]
pub fn getppid() -> i32 {
    // SAFETY: getppid takes no arguments and touches no memory.
    unsafe { syscall0_readonly(nr::GETPPID) as i32 }
}

/// Writes `buf` to descriptor `fd`; returns how many bytes were written.
///
/// # Errors
/// The kernel's errno (`EBADF`, `EPIPE`, `EINTR`, ...).
#[inline]
pub fn write(fd: i32, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel reads at most `buf.len()` bytes from `buf`, which
    // the reference keeps alive and readable for the call.
    decode(unsafe { syscall3_readonly(nr::WRITE, fd as usize, buf.as_ptr() as usize, buf.len()) })
}

/// Ends every thread of the process with `code`. Never returns.
#[inline]
pub fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group reads no memory and does not return.
    unsafe {
        syscall1(nr::EXIT_GROUP, code as usize);
    }
    // exit_group cannot return; should it ever, stop here.
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Sends signal `sig` to process `pid` (`kill(2)`).
///
/// # Errors
/// `ESRCH`, `EPERM`, `EINVAL` as the kernel answers.
#[inline]
pub fn kill(pid: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: kill takes integers only and reads no memory of ours.
    decode(unsafe { syscall2_readonly(nr::KILL, pid as usize, sig as usize) }).map(|_| ())
}

/// `prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)`.
///
/// # Errors
/// The kernel's errno (`EINVAL` on kernels before 3.5).
#[inline]
pub fn prctl_set_no_new_privs() -> Result<(), Errno> {
    // SAFETY: integer arguments only; the kernel reads no memory of ours.
    decode(unsafe { syscall5_readonly(nr::PRCTL, prctl::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) })
        .map(|_| ())
}

/// `prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)`: whether no_new_privs is set.
///
/// # Errors
/// The kernel's errno (`EINVAL` on kernels before 3.5).
#[inline]
pub fn prctl_get_no_new_privs() -> Result<bool, Errno> {
    // SAFETY: integer arguments only; the kernel reads no memory of ours.
    decode(unsafe { syscall5_readonly(nr::PRCTL, prctl::PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) })
        .map(|v| v != 0)
}

/// `prctl(PR_GET_SECCOMP)`: the calling thread's seccomp mode (0 none,
/// 1 strict, 2 filter).
///
/// # Errors
/// The kernel's errno (`EINVAL` without seccomp support).
#[inline]
pub fn prctl_get_seccomp() -> Result<u32, Errno> {
    // SAFETY: integer arguments only; the kernel reads no memory of ours.
    decode(unsafe { syscall1_readonly(nr::PRCTL, prctl::PR_GET_SECCOMP) }).map(|v| v as u32)
}

/// `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog)`: installs a filter
/// through the interface older than `seccomp(2)` (no flags).
///
/// # Errors
/// The kernel's errno, as for [`seccomp_set_mode_filter`].
#[inline]
pub fn prctl_set_seccomp_filter(prog: &SockFprog<'_>) -> Result<(), Errno> {
    // SAFETY: the kernel reads the `sock_fprog` behind the reference and
    // `prog.len` instructions behind its pointer, which `SockFprog`'s
    // borrow keeps alive.
    decode(unsafe {
        syscall3_readonly(
            nr::PRCTL,
            prctl::PR_SET_SECCOMP,
            prctl::SECCOMP_MODE_FILTER,
            prog as *const SockFprog<'_> as usize,
        )
    })
    .map(|_| ())
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, prog)`: the raw answer.
///
/// `Ok(0)` is success; with `SECCOMP_FILTER_FLAG_TSYNC` a positive value is
/// the id of a thread that could not be synchronized. `flags` must not
/// contain `SECCOMP_FILTER_FLAG_NEW_LISTENER`: use
/// [`seccomp_set_mode_filter_listener`], which owns the descriptor; here
/// the bit is refused with `EINVAL` before the kernel is called.
///
/// # Errors
/// The kernel's errno.
#[inline]
pub fn seccomp_set_mode_filter(flags: u32, prog: &SockFprog<'_>) -> Result<usize, Errno> {
    if flags & seccomp_op::FLAG_NEW_LISTENER != 0 {
        return Err(Errno::EINVAL);
    }
    // SAFETY: the kernel reads the `sock_fprog` behind the reference and
    // `prog.len` instructions behind its pointer, which `SockFprog`'s
    // borrow keeps alive.
    decode(unsafe {
        syscall3_readonly(
            nr::SECCOMP,
            seccomp_op::SET_MODE_FILTER,
            flags as usize,
            prog as *const SockFprog<'_> as usize,
        )
    })
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags | NEW_LISTENER, prog)`: installs
/// the filter and returns its notification listener.
///
/// # Errors
/// The kernel's errno.
#[inline]
pub fn seccomp_set_mode_filter_listener(
    flags: u32,
    prog: &SockFprog<'_>,
) -> Result<OwnedFd, Errno> {
    let flags = flags | seccomp_op::FLAG_NEW_LISTENER;
    // SAFETY: as in `seccomp_set_mode_filter`; the kernel only reads.
    let fd = decode(unsafe {
        syscall3_readonly(
            nr::SECCOMP,
            seccomp_op::SET_MODE_FILTER,
            flags as usize,
            prog as *const SockFprog<'_> as usize,
        )
    })?;
    // With NEW_LISTENER, a non-error answer is the new descriptor, which
    // nothing else owns yet.
    Ok(OwnedFd { fd: fd as i32 })
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, NULL)`: the flag probe. A
/// kernel that knows every flag in `flags` (and accepts the combination)
/// answers `EFAULT`, because it then tries to read the NULL program;
/// otherwise `EINVAL`. Nothing is installed either way.
///
/// # Errors
/// The kernel's errno: `EFAULT` or `EINVAL` as above, `ENOSYS` without
/// `seccomp(2)`.
#[inline]
pub fn seccomp_probe_flags(flags: u32) -> Result<usize, Errno> {
    // SAFETY: a NULL program pointer: the kernel's copy fails with EFAULT
    // before it installs anything or creates a descriptor.
    decode(unsafe {
        syscall3_readonly(nr::SECCOMP, seccomp_op::SET_MODE_FILTER, flags as usize, 0)
    })
}

/// `seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action)`: `Ok(())` when the kernel
/// supports this exact return value.
///
/// # Errors
/// `EOPNOTSUPP` for an unsupported action; `ENOSYS`, `EINVAL` on old kernels.
#[inline]
pub fn seccomp_get_action_avail(action: u32) -> Result<(), Errno> {
    let value = action;
    // SAFETY: the kernel reads one u32 behind the pointer, a live local.
    decode(unsafe {
        syscall3_readonly(
            nr::SECCOMP,
            seccomp_op::GET_ACTION_AVAIL,
            0,
            &value as *const u32 as usize,
        )
    })
    .map(|_| ())
}

/// `seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes)`: the kernel's sizes of
/// `seccomp_notif`, `seccomp_notif_resp` and `seccomp_data`, in that order.
///
/// # Errors
/// The kernel's errno (`EINVAL` before 5.0, `ENOSYS` without `seccomp(2)`).
#[inline]
pub fn seccomp_get_notif_sizes() -> Result<[u16; 3], Errno> {
    let mut sizes = [0u16; 3];
    // SAFETY: the kernel writes `struct seccomp_notif_sizes`, three u16,
    // exactly the six bytes of `sizes`, which is live and writable.
    decode(unsafe {
        syscall3(
            nr::SECCOMP,
            seccomp_op::GET_NOTIF_SIZES,
            0,
            sizes.as_mut_ptr() as usize,
        )
    })?;
    Ok(sizes)
}

/// A file descriptor this value owns: dropping it closes it.
#[derive(Debug)]
pub struct OwnedFd {
    fd: i32,
}

impl OwnedFd {
    /// The descriptor's number, still owned by `self`.
    pub const fn as_raw_fd(&self) -> i32 {
        self.fd
    }

    /// Gives up ownership: the caller must close the descriptor.
    pub fn into_raw_fd(self) -> i32 {
        let fd = self.fd;
        core::mem::forget(self);
        fd
    }

    /// Closes the descriptor now and reports the kernel's answer (drop
    /// closes too, but ignores errors).
    ///
    /// # Errors
    /// The kernel's errno from `close(2)` (the descriptor is gone anyway).
    pub fn close(self) -> Result<(), Errno> {
        let fd = self.into_raw_fd();
        // SAFETY: `fd` was owned by this value and is closed exactly once.
        decode(unsafe { syscall1_readonly(nr::CLOSE, fd as usize) }).map(|_| ())
    }
}

impl Drop for OwnedFd {
    fn drop(&mut self) {
        // SAFETY: the descriptor is owned by this value and closed once.
        let _ = decode(unsafe { syscall1_readonly(nr::CLOSE, self.fd as usize) });
    }
}

mod entry;
pub use entry::{ArgIter, Args, StackPointer, enter};

pub mod notify;
pub mod process;
pub mod signal;
