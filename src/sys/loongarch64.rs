//! loongarch64: `syscall 0`, number in a7, arguments in a0..a5, result in
//! a0; the kernel may change t0..t8, which are declared clobbered.

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
            // SAFETY: the caller guarantees the arguments are valid for `nr`;
            // the temporaries the kernel may change are clobbered.
            unsafe {
                asm!(
                    "syscall 0",
                    in("$a7") nr,
                    inlateout("$a0") a0 => ret,
                    $(in($reg) $a,)*
                    lateout("$t0") _, lateout("$t1") _, lateout("$t2") _,
                    lateout("$t3") _, lateout("$t4") _, lateout("$t5") _,
                    lateout("$t6") _, lateout("$t7") _, lateout("$t8") _,
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
    syscall2(a1: "$a1");
    syscall3(a1: "$a1", a2: "$a2");
    syscall4(a1: "$a1", a2: "$a2", a3: "$a3");
    syscall5(a1: "$a1", a2: "$a2", a3: "$a3", a4: "$a4");
    syscall6(a1: "$a1", a2: "$a2", a3: "$a3", a4: "$a4", a5: "$a5");
}

syscalls! { (nostack, preserves_flags, readonly);
    syscall1_readonly();
    syscall2_readonly(a1: "$a1");
    syscall3_readonly(a1: "$a1", a2: "$a2");
    syscall4_readonly(a1: "$a1", a2: "$a2", a3: "$a3");
    syscall5_readonly(a1: "$a1", a2: "$a2", a3: "$a3", a4: "$a4");
    syscall6_readonly(a1: "$a1", a2: "$a2", a3: "$a3", a4: "$a4", a5: "$a5");
}

/// System-call numbers (the generic table).
pub mod nr {
    pub use super::super::generic_nr::*;
    /// `wait4`.
    pub const WAIT4: usize = 260;
}

/// The `_start` of [`entry!`](crate::entry): sp points at argc; clear ra
/// and fp, pass sp, align it to 16, call.
#[doc(hidden)]
#[macro_export]
macro_rules! __seccomp_bpf_start_asm {
    ($start:path) => {
        #[allow(unsafe_code)]
        ::core::arch::global_asm!(
            ".globl _start",
            ".type _start,@function",
            "_start:",
            "move $ra, $zero",
            "move $fp, $zero",
            "move $a0, $sp",
            "bstrins.d $sp, $zero, 3, 0",
            "bl {start}",
            "break 0",
            ".size _start, .-_start",
            start = sym $start,
        );
    };
}
