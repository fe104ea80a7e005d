//! aarch64: `svc 0`, number in x8, arguments in x0..x5, result in x0. The
//! kernel preserves every other register and the flags.

use core::arch::asm;

macro_rules! syscalls {
    ($opts:tt; $($name:ident($($a:ident: $reg:tt),*);)*) => {$(
        /// A raw system call (see the module's Safety section).
        ///
        /// # Safety
        /// The arguments must be valid for the call `nr` (pointers to live
        /// memory of the size the kernel reads or writes).
        #[inline(always)]
        pub unsafe fn $name(nr: usize, a0: usize $(, $a: usize)*) -> usize {
            let ret;
            // SAFETY: the caller guarantees the arguments are valid for `nr`.
            unsafe {
                asm!(
                    "svc 0",
                    in("x8") nr,
                    inlateout("x0") a0 => ret,
                    $(in($reg) $a,)*
                    options $opts,
                );
            }
            ret
        }
    )*};
}

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

syscalls! { (nostack, preserves_flags);
    syscall1();
    syscall2(a1: "x1");
    syscall3(a1: "x1", a2: "x2");
    syscall4(a1: "x1", a2: "x2", a3: "x3");
    syscall5(a1: "x1", a2: "x2", a3: "x3", a4: "x4");
    syscall6(a1: "x1", a2: "x2", a3: "x3", a4: "x4", a5: "x5");
}

syscalls! { (nostack, preserves_flags, readonly);
    syscall1_readonly();
    syscall2_readonly(a1: "x1");
    syscall3_readonly(a1: "x1", a2: "x2");
    syscall4_readonly(a1: "x1", a2: "x2", a3: "x3");
    syscall5_readonly(a1: "x1", a2: "x2", a3: "x3", a4: "x4");
    syscall6_readonly(a1: "x1", a2: "x2", a3: "x3", a4: "x4", a5: "x5");
}

/// System-call numbers (the generic table of arm64).
pub mod nr {
    pub use super::super::generic_nr::*;
    /// `wait4`.
    pub const WAIT4: usize = 260;
}

/// The `_start` of [`entry!`](crate::entry): sp points at argc and is
/// 16-byte aligned already; clear fp and lr, pass sp, call.
#[doc(hidden)]
#[macro_export]
macro_rules! __seccomp_bpf_start_asm {
    ($start:path) => {
        #[allow(unsafe_code)]
        ::core::arch::global_asm!(
            ".globl _start",
            ".type _start,%function",
            "_start:",
            "mov x29, #0",
            "mov x30, #0",
            "mov x0, sp",
            "and x1, x0, #-16",
            "mov sp, x1",
            "bl {start}",
            "brk #1",
            ".size _start, .-_start",
            start = sym $start,
        );
    };
}
