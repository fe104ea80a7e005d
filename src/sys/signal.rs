//! SIGSYS: the raw `rt_sigaction`, the handler [`crate::trap`] installs,
//! and the layouts it reads (`siginfo_t`) and writes (`ucontext_t`).
//!
//! Supported: x86_64 (not x32, whose `rt_sigaction` takes the 32-bit
//! compat layout), x86 and aarch64. Elsewhere [`SUPPORTED`] is false
//! and [`install_sigsys_handler`] answers `ENOSYS` without calling the
//! kernel: each architecture needs its own restorer and its own offset of
//! the return register in the saved context, and these three are the ones
//! the crate can build and check (x86_64 and x86 run here; aarch64's
//! offset is checked against the C library's layout when built for it).
//!
//! # Layouts
//!
//! `siginfo_t` for SIGSYS: `si_signo`, `si_errno`, `si_code` (three
//! `int`s; MIPS, unsupported here, swaps the last two), then the `_sigsys`
//! member of the union, aligned as a pointer: `_call_addr` (pointer),
//! `_syscall` (int), `_arch` (unsigned int). The union starts at 16 on
//! 64-bit targets, at 12 on 32-bit ones.
//!
//! The return register in `ucontext_t`: x86_64 `uc_mcontext` at 40
//! (after `uc_flags`, `uc_link`, a 24-byte `stack_t`), `rax` its 14th
//! register (index 13): 144. x86 `uc_mcontext` at 20 (4 + 4 + 12), `eax` at
//! index 11: 64. aarch64 `uc_mcontext` at 176 (8 + 8 + 24, the 8-byte
//! sigset padded to 128 bytes, rounded up to 16), `x0` after
//! `fault_address`: 184.

use core::mem::size_of;

use super::{Errno, decode, nr, syscall4_readonly};

/// The signal number of SIGSYS (31 on the supported architectures).
pub const SIGSYS: i32 = 31;
/// `SA_SIGINFO`.
const SA_SIGINFO: usize = 4;
/// `SA_RESTORER`.
const SA_RESTORER: usize = 0x0400_0000;
/// `SIG_DFL`.
const SIG_DFL: usize = 0;

/// Whether this architecture has the SIGSYS handler.
pub const SUPPORTED: bool = cfg!(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "x86",
    target_arch = "aarch64"
));

/// Where the union of `siginfo_t` starts.
const UNION: usize = if size_of::<usize>() == 8 { 16 } else { 12 };

/// Offset of the register that carries a system call's return value in
/// the `ucontext_t` a SA_SIGINFO handler gets, where the crate knows it.
pub const UCONTEXT_RETURN_OFFSET: Option<usize> = if !SUPPORTED {
    None
} else if cfg!(target_arch = "x86_64") {
    Some(40 + 13 * 8)
} else if cfg!(target_arch = "x86") {
    Some(20 + 11 * 4)
} else if cfg!(target_arch = "aarch64") {
    Some(((8 + 8 + 24 + 128 + 15) & !15) + 8)
} else {
    None
};

// The arithmetic above, spelled out as the module docs give it.
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
const _: () = assert!(matches!(UCONTEXT_RETURN_OFFSET, Some(144)));
#[cfg(target_arch = "x86")]
const _: () = assert!(matches!(UCONTEXT_RETURN_OFFSET, Some(64)));
#[cfg(target_arch = "aarch64")]
const _: () = assert!(matches!(UCONTEXT_RETURN_OFFSET, Some(184)));

/// The kernel's `struct sigaction` for `rt_sigaction` on the supported
/// architectures: handler, flags, restorer, a 64-bit mask.
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: usize,
    restorer: usize,
    mask: u64,
}

/// The fields of a SIGSYS `siginfo_t`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RawSigsys {
    /// `si_signo`.
    pub signo: i32,
    /// `si_errno`: for a seccomp trap, the TRAP action's data.
    pub errno: i32,
    /// `si_code`: 1 (`SYS_SECCOMP`) for a seccomp trap.
    pub code: i32,
    /// `si_call_addr`: the address after the system-call instruction.
    pub call_addr: usize,
    /// `si_syscall`: the number, as `seccomp_data.nr`.
    pub syscall: i32,
    /// `si_arch`: the audit arch of the call.
    pub arch: u32,
}

/// The handler: decodes the siginfo, asks [`crate::trap`] what to do, and
/// sets the return register when the call is to fail with an errno.
/// `NAMES`: whether the report names the call (see
/// [`install_sigsys_handler_without_names`]).
extern "C" fn handler<const NAMES: bool>(_sig: i32, info: *mut u8, uctx: *mut u8) {
    if info.is_null() {
        return;
    }
    // SAFETY: for a SA_SIGINFO handler the kernel passes a pointer to a
    // complete siginfo_t (128 bytes), valid for the handler's duration;
    // every offset read is below 32 and read unaligned.
    let raw = unsafe {
        let at = |off: usize| info.add(off);
        RawSigsys {
            signo: at(0).cast::<i32>().read_unaligned(),
            errno: at(4).cast::<i32>().read_unaligned(),
            code: at(8).cast::<i32>().read_unaligned(),
            call_addr: at(UNION).cast::<usize>().read_unaligned(),
            syscall: at(UNION + size_of::<usize>())
                .cast::<i32>()
                .read_unaligned(),
            arch: at(UNION + size_of::<usize>() + 4)
                .cast::<u32>()
                .read_unaligned(),
        }
    };
    if let Some(errno) = crate::trap::on_sigsys::<NAMES>(&raw) {
        if let Some(off) = UCONTEXT_RETURN_OFFSET
            && !uctx.is_null()
        {
            let value = (errno as isize).wrapping_neg() as usize;
            // SAFETY: the kernel passes the saved user context, which
            // rt_sigreturn restores; the return register lies at `off`
            // inside it on this architecture (module docs, and the
            // tests compare with the C library's ucontext_t).
            unsafe { uctx.add(off).cast::<usize>().write_unaligned(value) };
        }
    }
}

/// Installs the SIGSYS handler (`SA_SIGINFO`, with a restorer).
///
/// # Errors
/// The kernel's errno; `ENOSYS` where [`SUPPORTED`] is false.
pub fn install_sigsys_handler() -> Result<(), Errno> {
    install_handler(handler::<true>)
}

/// Installs the SIGSYS handler whose report gives the call's number but
/// not its name: the program then carries neither the name tables nor
/// `core::fmt` (see [`crate::trap::install_reporter_without_names`]).
///
/// # Errors
/// The kernel's errno; `ENOSYS` where [`SUPPORTED`] is false.
pub fn install_sigsys_handler_without_names() -> Result<(), Errno> {
    install_handler(handler::<false>)
}

fn install_handler(handler: extern "C" fn(i32, *mut u8, *mut u8)) -> Result<(), Errno> {
    if !SUPPORTED {
        return Err(Errno::ENOSYS);
    }
    let act = KernelSigaction {
        handler: handler as usize,
        flags: SA_SIGINFO | SA_RESTORER,
        restorer: restorer(),
        mask: 0,
    };
    sigaction(SIGSYS, &act)
}

/// Gives SIGSYS back its default action (the process dies by it).
///
/// # Errors
/// The kernel's errno; `ENOSYS` where [`SUPPORTED`] is false.
pub fn reset_sigsys() -> Result<(), Errno> {
    if !SUPPORTED {
        return Err(Errno::ENOSYS);
    }
    let act = KernelSigaction {
        handler: SIG_DFL,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    sigaction(SIGSYS, &act)
}

fn sigaction(sig: i32, act: &KernelSigaction) -> Result<(), Errno> {
    // SAFETY: the kernel reads one `struct sigaction` behind `act`, which
    // the reference keeps alive; no old action is written (NULL); the mask
    // size is the kernel's 8 bytes.
    decode(unsafe {
        syscall4_readonly(
            nr::RT_SIGACTION,
            sig as usize,
            act as *const KernelSigaction as usize,
            0,
            8,
        )
    })
    .map(|_| ())
}

/// The address of a `rt_sigreturn` stub: code inside this function that
/// the function itself jumps over.
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
fn restorer() -> usize {
    let addr: usize;
    // SAFETY: only computes an address and jumps over the stub; the stub
    // runs when a handler returns to it, with the signal frame in place.
    unsafe {
        core::arch::asm!(
            "lea {addr}, [rip + 2f]",
            "jmp 3f",
            "2:",
            "mov eax, {nr}",
            "syscall",
            "ud2",
            "3:",
            addr = out(reg) addr,
            nr = const nr::RT_SIGRETURN,
            options(nomem, nostack, preserves_flags),
        );
    }
    addr
}

/// See the x86_64 version; on i386 the address is the return address of
/// a call over the stub (no PC-relative `lea`).
#[cfg(target_arch = "x86")]
fn restorer() -> usize {
    let addr: usize;
    // SAFETY: pushes and pops one word (the stack is left as it was) to
    // get the stub's address; the stub runs only as a signal restorer.
    unsafe {
        core::arch::asm!(
            // The call pushes the address of the stub that follows it.
            "call 4f",
            "mov eax, {nr}",
            "int 0x80",
            "ud2",
            "4:",
            "pop {addr}",
            addr = out(reg) addr,
            nr = const nr::RT_SIGRETURN,
        );
    }
    addr
}

/// See the x86_64 version; `adr` is PC-relative.
#[cfg(target_arch = "aarch64")]
fn restorer() -> usize {
    let addr: usize;
    // SAFETY: only computes an address and branches over the stub.
    unsafe {
        core::arch::asm!(
            "adr {addr}, 2f",
            "b 3f",
            "2:",
            "mov x8, #{nr}",
            "svc #0",
            "brk #1",
            "3:",
            addr = out(reg) addr,
            nr = const nr::RT_SIGRETURN,
            options(nomem, nostack, preserves_flags),
        );
    }
    addr
}

#[cfg(not(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "x86",
    target_arch = "aarch64"
)))]
fn restorer() -> usize {
    0
}
