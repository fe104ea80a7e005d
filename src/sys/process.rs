//! Process control for a `#![no_std]` init or sandbox launcher: a SIGSYS
//! handler (`rt_sigaction` with the target's restorer), `fork` (as
//! `clone(SIGCHLD)`), `wait4` and `reboot`.
//!
//! These are the calls an early-boot program needs around a filter: catch
//! the `SIGSYS` of a `TRAP` action and read which call raised it, run a
//! child that a `KILL_PROCESS` action may end and see how it ended, and
//! power the machine off when done.
//!
//! `sigaction` is compiled for the architectures whose kernel `struct
//! sigaction` layout this module knows (x86_64, x86, aarch64, arm, riscv);
//! `wait4` everywhere but riscv32 (which only has `waitid`); the rest
//! everywhere [`sys`](super) compiles.

use super::{Errno, decode, nr, syscall4, syscall5};

/// `SIGCHLD`, the signal a child's end sends its parent.
pub const SIGCHLD: i32 = if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
    18
} else {
    17
};

/// `SIGSYS`, the signal of a seccomp `TRAP` action.
pub const SIGSYS: i32 = if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
    12
} else {
    31
};

/// `si_code` of a `SIGSYS` raised by seccomp (`SYS_SECCOMP`).
pub const SYS_SECCOMP: i32 = 1;

/// What [`fork`] returned in one of the two processes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fork {
    /// This is the new process.
    Child,
    /// This is the parent; the child has this process id.
    Parent(i32),
}

/// Creates a child process that continues from this call with a copy of
/// the address space (`clone(SIGCHLD, 0, ...)`, which every architecture
/// has, unlike `fork`).
///
/// # Errors
/// `EAGAIN`, `ENOMEM` as the kernel answers, or whatever a seccomp filter
/// makes `clone` return.
///
/// # Safety
/// The child gets a copy of the calling thread only. If the process has
/// other threads, any lock they hold stays held forever in the child, so
/// until it calls `exit_group` or `execve` the child must only do what is
/// async-signal-safe (no allocation, no locks). In a single-threaded
/// program, such as a `#![no_std]` init, there is no such restriction.
pub unsafe fn fork() -> Result<Fork, Errno> {
    // SAFETY: clone with a NULL stack duplicates the address space (like
    // fork); no pointer argument is passed, and the caller takes the
    // responsibility for what the child runs.
    // s390 takes the stack first and the flags second.
    #[cfg(not(target_arch = "s390x"))]
    let ret = decode(unsafe { syscall5(nr::CLONE, SIGCHLD as usize, 0, 0, 0, 0) })?;
    #[cfg(target_arch = "s390x")]
    // SAFETY: as above.
    let ret = decode(unsafe { syscall5(nr::CLONE, 0, SIGCHLD as usize, 0, 0, 0) })?;
    Ok(if ret == 0 {
        Fork::Child
    } else {
        Fork::Parent(ret as i32)
    })
}

/// How a child ended or changed state, decoded from a `wait4` status.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WaitStatus {
    /// It called `exit`/`exit_group` with this code (0..=255).
    Exited(i32),
    /// A signal ended it.
    Signaled {
        /// The signal number (`SIGSYS` for a seccomp kill).
        signal: i32,
        /// Whether it dumped core.
        core_dumped: bool,
    },
    /// A signal stopped it (only reported with `WUNTRACED`).
    Stopped(i32),
    /// `SIGCONT` resumed it (only reported with `WCONTINUED`).
    Continued,
}

impl WaitStatus {
    /// Decodes the `int` status `wait4` stores.
    pub const fn from_raw(status: i32) -> WaitStatus {
        let low = status & 0x7f;
        if low == 0 {
            WaitStatus::Exited((status >> 8) & 0xff)
        } else if status == 0xffff {
            WaitStatus::Continued
        } else if low == 0x7f {
            WaitStatus::Stopped((status >> 8) & 0xff)
        } else {
            WaitStatus::Signaled {
                signal: low,
                core_dumped: status & 0x80 != 0,
            }
        }
    }
}

/// Waits for child `pid` (or any child with -1) to change state; returns
/// the child's id and how it ended. `options` are the `W*` flags (0 waits
/// for termination).
///
/// Not on riscv32, which has only `waitid`.
///
/// # Errors
/// `ECHILD` when there is no such child, `EINTR`, `EINVAL`.
#[cfg(not(target_arch = "riscv32"))]
pub fn wait4(pid: i32, options: i32) -> Result<(i32, WaitStatus), Errno> {
    let mut status: i32 = 0;
    // SAFETY: the kernel writes one int to `status`, a live local; the
    // rusage pointer is NULL, so nothing else is written.
    let ret = decode(unsafe {
        syscall4(
            nr::WAIT4,
            pid as usize,
            &mut status as *mut i32 as usize,
            options as usize,
            0,
        )
    })?;
    Ok((ret as i32, WaitStatus::from_raw(status)))
}

/// `LINUX_REBOOT_CMD_POWER_OFF`: stop the system and remove power.
pub const REBOOT_POWER_OFF: u32 = 0x4321_fedc;
/// `LINUX_REBOOT_CMD_RESTART`: restart the system.
pub const REBOOT_RESTART: u32 = 0x0123_4567;
/// `LINUX_REBOOT_CMD_HALT`: stop the system, power left on.
pub const REBOOT_HALT: u32 = 0xcdef_0123;

/// `reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, cmd, NULL)`. With
/// [`REBOOT_POWER_OFF`], [`REBOOT_RESTART`] or [`REBOOT_HALT`] it does not
/// return on success. The kernel does not sync file systems first.
///
/// # Errors
/// `EPERM` without `CAP_SYS_BOOT`, `EINVAL` for an unknown command.
pub fn reboot(cmd: u32) -> Result<(), Errno> {
    const MAGIC1: usize = 0xfee1_dead;
    const MAGIC2: usize = 0x2812_1969;
    // SAFETY: the fourth argument (a restart string, read only for
    // LINUX_REBOOT_CMD_RESTART2) is NULL and never read for these commands;
    // everything else is an integer.
    decode(unsafe { syscall4(nr::REBOOT, MAGIC1, MAGIC2, cmd as usize, 0) }).map(|_| ())
}

/// The signal information the kernel passes a `SA_SIGINFO` handler
/// (`siginfo_t`, 128 bytes), with accessors for the fields of a seccomp
/// `SIGSYS`.
#[repr(C, align(8))]
pub struct SigInfo {
    bytes: [u8; 128],
}

/// Where the union of `siginfo_t` starts: after three ints, aligned to the
/// pointer size.
const UNION: usize = if cfg!(target_pointer_width = "64") {
    16
} else {
    12
};
const PTR: usize = core::mem::size_of::<usize>();

impl SigInfo {
    fn i32_at(&self, at: usize) -> i32 {
        let mut b = [0u8; 4];
        if let Some(src) = self.bytes.get(at..at + 4) {
            b.copy_from_slice(src);
        }
        i32::from_ne_bytes(b)
    }

    /// `si_signo`: the signal number.
    pub fn signo(&self) -> i32 {
        self.i32_at(0)
    }

    /// `si_errno`; for a seccomp `SIGSYS`, the 16-bit data of the `TRAP`
    /// return value.
    pub fn errno(&self) -> i32 {
        // mips swaps si_code and si_errno.
        self.i32_at(if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
            8
        } else {
            4
        })
    }

    /// `si_code`; [`SYS_SECCOMP`] for a seccomp `SIGSYS`.
    pub fn code(&self) -> i32 {
        self.i32_at(if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
            4
        } else {
            8
        })
    }

    /// `si_call_addr`: the address after the system-call instruction.
    pub fn call_addr(&self) -> usize {
        let mut b = [0u8; PTR];
        if let Some(src) = self.bytes.get(UNION..UNION + PTR) {
            b.copy_from_slice(src);
        }
        usize::from_ne_bytes(b)
    }

    /// `si_syscall`: the number of the call the filter trapped.
    pub fn syscall(&self) -> i32 {
        self.i32_at(UNION + PTR)
    }

    /// `si_arch`: the audit arch of the trapped call.
    pub fn arch(&self) -> u32 {
        self.i32_at(UNION + PTR + 4) as u32
    }
}

/// A `SA_SIGINFO` signal handler: the signal, its information and the
/// `ucontext_t` of the interrupted code.
pub type SigHandler = extern "C" fn(signal: i32, info: &SigInfo, context: *mut core::ffi::c_void);

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "arm",
    target_arch = "riscv64",
    target_arch = "riscv32"
))]
const SA_SIGINFO: usize = 4;
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "arm"
))]
const SA_RESTORER: usize = 0x0400_0000;

/// The kernel's `struct sigaction` of the architectures with a restorer
/// field: handler, flags, restorer, mask.
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "arm"
))]
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: usize,
    restorer: usize,
    mask: u64,
}

/// riscv has no restorer field (the kernel returns through the vDSO).
#[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: usize,
    mask: u64,
}

// The restorer a handler returns to: it calls rt_sigreturn, which restores
// the interrupted context the kernel saved on the stack.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".pushsection .text.seccomp_bpf_sys_restore_rt,\"ax\",@progbits",
    ".globl seccomp_bpf_sys_restore_rt",
    ".hidden seccomp_bpf_sys_restore_rt",
    ".type seccomp_bpf_sys_restore_rt,@function",
    "seccomp_bpf_sys_restore_rt:",
    "mov eax, {nr}",
    "syscall",
    "ud2",
    ".size seccomp_bpf_sys_restore_rt, .-seccomp_bpf_sys_restore_rt",
    ".popsection",
    nr = const nr::RT_SIGRETURN,
);

#[cfg(target_arch = "x86")]
core::arch::global_asm!(
    ".pushsection .text.seccomp_bpf_sys_restore_rt,\"ax\",@progbits",
    ".globl seccomp_bpf_sys_restore_rt",
    ".hidden seccomp_bpf_sys_restore_rt",
    ".type seccomp_bpf_sys_restore_rt,@function",
    "seccomp_bpf_sys_restore_rt:",
    "mov eax, {nr}",
    "int 0x80",
    "ud2",
    ".size seccomp_bpf_sys_restore_rt, .-seccomp_bpf_sys_restore_rt",
    ".popsection",
    nr = const nr::RT_SIGRETURN,
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".pushsection .text.seccomp_bpf_sys_restore_rt,\"ax\",%progbits",
    ".globl seccomp_bpf_sys_restore_rt",
    ".hidden seccomp_bpf_sys_restore_rt",
    ".type seccomp_bpf_sys_restore_rt,%function",
    "seccomp_bpf_sys_restore_rt:",
    "mov x8, #{nr}",
    "svc #0",
    "brk #1",
    ".size seccomp_bpf_sys_restore_rt, .-seccomp_bpf_sys_restore_rt",
    ".popsection",
    nr = const nr::RT_SIGRETURN,
);

// arm: Thumb code, so that Thumb-only targets work too, written as data
// (`movs r7, #nr` is 0x2700 | nr, `svc #0` is 0xdf00) so that no `.thumb`
// directive changes the mode of the assembly that follows. The address
// passed to the kernel gets its low bit set: the handler's return to it
// then switches to Thumb state.
#[cfg(target_arch = "arm")]
const _: () = assert!(nr::RT_SIGRETURN < 256, "movs takes an 8-bit immediate");
#[cfg(target_arch = "arm")]
core::arch::global_asm!(
    ".pushsection .text.seccomp_bpf_sys_restore_rt,\"ax\",%progbits",
    ".p2align 1",
    ".globl seccomp_bpf_sys_restore_rt",
    ".hidden seccomp_bpf_sys_restore_rt",
    ".type seccomp_bpf_sys_restore_rt,%function",
    "seccomp_bpf_sys_restore_rt:",
    ".2byte 0x2700 + {nr}",
    ".2byte 0xdf00",
    ".size seccomp_bpf_sys_restore_rt, .-seccomp_bpf_sys_restore_rt",
    ".popsection",
    nr = const nr::RT_SIGRETURN,
);

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "arm"
))]
unsafe extern "C" {
    fn seccomp_bpf_sys_restore_rt();
}

/// Installs `handler` for `signal` with `SA_SIGINFO` (and the restorer the
/// architecture needs), with no signals blocked beyond `signal` itself
/// while it runs (`rt_sigaction`).
///
/// # Errors
/// `EINVAL` for a signal that cannot be caught (`SIGKILL`, `SIGSTOP`) or out
/// of range.
///
/// # Safety
/// The handler can run between any two instructions of the thread that
/// receives the signal, including inside code that holds a lock or is
/// halfway through changing a data structure. It must therefore be
/// async-signal-safe: touch only atomics and its own locals, never
/// allocate, lock or use state that the interrupted code may be changing.
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "arm",
    target_arch = "riscv64",
    target_arch = "riscv32"
))]
pub unsafe fn sigaction(signal: i32, handler: SigHandler) -> Result<(), Errno> {
    #[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
    let action = KernelSigaction {
        handler: handler as usize,
        flags: SA_SIGINFO,
        mask: 0,
    };
    #[cfg(not(any(target_arch = "riscv64", target_arch = "riscv32")))]
    let action = KernelSigaction {
        handler: handler as usize,
        flags: SA_SIGINFO | SA_RESTORER,
        // On arm, the low bit selects Thumb state (see the restorer).
        restorer: seccomp_bpf_sys_restore_rt as *const () as usize
            | usize::from(cfg!(target_arch = "arm")),
        mask: 0,
    };
    // SAFETY: the kernel reads one `struct sigaction` (the layout above)
    // from `action`, a live local, and writes nothing (old action NULL);
    // the mask size is that of the kernel's sigset_t, 8 bytes. The handler
    // and restorer are functions of this program that stay mapped; the
    // caller guarantees the handler is async-signal-safe.
    decode(unsafe {
        syscall4(
            nr::RT_SIGACTION,
            signal as usize,
            &action as *const KernelSigaction as usize,
            0,
            core::mem::size_of::<u64>(),
        )
    })
    .map(|_| ())
}

/// Restores the default action of `signal` (`SIG_DFL`).
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "aarch64",
    target_arch = "arm",
    target_arch = "riscv64",
    target_arch = "riscv32"
))]
///
/// # Errors
/// `EINVAL` for a signal out of range or `SIGKILL`/`SIGSTOP`.
pub fn sigaction_default(signal: i32) -> Result<(), Errno> {
    #[cfg(not(any(target_arch = "riscv64", target_arch = "riscv32")))]
    let action = [0usize; 4];
    #[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
    let action = [0usize; 3];
    // SAFETY: an all-zero `struct sigaction` is SIG_DFL with no flags; the
    // kernel reads it from a live local and writes nothing.
    decode(unsafe {
        syscall4(
            nr::RT_SIGACTION,
            signal as usize,
            action.as_ptr() as usize,
            0,
            core::mem::size_of::<u64>(),
        )
    })
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_status_decoding() {
        assert_eq!(WaitStatus::from_raw(0), WaitStatus::Exited(0));
        assert_eq!(WaitStatus::from_raw(3 << 8), WaitStatus::Exited(3));
        assert_eq!(
            WaitStatus::from_raw(31),
            WaitStatus::Signaled {
                signal: 31,
                core_dumped: false
            }
        );
        assert_eq!(
            WaitStatus::from_raw(0x80 | 6),
            WaitStatus::Signaled {
                signal: 6,
                core_dumped: true
            }
        );
        assert_eq!(
            WaitStatus::from_raw((19 << 8) | 0x7f),
            WaitStatus::Stopped(19)
        );
        assert_eq!(WaitStatus::from_raw(0xffff), WaitStatus::Continued);
    }
}
