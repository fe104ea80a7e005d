//! arm (EABI): `svc 0`, number in r7, arguments in r0..r5, result in r0.
//!
//! In Thumb mode r7 is LLVM's frame pointer and cannot be an asm operand,
//! and Rust has no `cfg` that tells Thumb from ARM code generation. So in
//! both modes the number goes in a scratch register, r7 is saved in
//! another one, loaded for the call and restored right after it (two
//! extra moves).

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
            // r7 is restored from `{saved}` before the asm ends.
            unsafe {
                asm!(
                    "mov {saved}, r7",
                    "mov r7, {nr}",
                    "svc 0",
                    "mov r7, {saved}",
                    nr = in(reg) nr,
                    saved = out(reg) _,
                    inlateout("r0") a0 => ret,
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
    syscall2(a1: "r1");
    syscall3(a1: "r1", a2: "r2");
    syscall4(a1: "r1", a2: "r2", a3: "r3");
    syscall5(a1: "r1", a2: "r2", a3: "r3", a4: "r4");
    syscall6(a1: "r1", a2: "r2", a3: "r3", a4: "r4", a5: "r5");
}

syscalls! { (nostack, preserves_flags, readonly);
    syscall1_readonly();
    syscall2_readonly(a1: "r1");
    syscall3_readonly(a1: "r1", a2: "r2");
    syscall4_readonly(a1: "r1", a2: "r2", a3: "r3");
    syscall5_readonly(a1: "r1", a2: "r2", a3: "r3", a4: "r4");
    syscall6_readonly(a1: "r1", a2: "r2", a3: "r3", a4: "r4", a5: "r5");
}

/// System-call numbers (arm EABI table).
pub mod nr {
    /// `fork`.
    pub const FORK: usize = 2;
    /// `write`.
    pub const WRITE: usize = 4;
    /// `close`.
    pub const CLOSE: usize = 6;
    /// `getpid`.
    pub const GETPID: usize = 20;
    /// `kill`.
    pub const KILL: usize = 37;
    /// `ioctl`.
    pub const IOCTL: usize = 54;
    /// `getppid`.
    pub const GETPPID: usize = 64;
    /// `reboot`.
    pub const REBOOT: usize = 88;
    /// `wait4`.
    pub const WAIT4: usize = 114;
    /// `clone`.
    pub const CLONE: usize = 120;
    /// `prctl`.
    pub const PRCTL: usize = 172;
    /// `rt_sigreturn`.
    pub const RT_SIGRETURN: usize = 173;
    /// `rt_sigaction`.
    pub const RT_SIGACTION: usize = 174;
    /// `rt_sigprocmask`.
    pub const RT_SIGPROCMASK: usize = 175;
    /// `gettid`.
    pub const GETTID: usize = 224;
    /// `exit_group`.
    pub const EXIT_GROUP: usize = 248;
    /// `tgkill`.
    pub const TGKILL: usize = 268;
    /// `waitid`.
    pub const WAITID: usize = 280;
    /// `seccomp`.
    pub const SECCOMP: usize = 383;
}

/// The `_start` of [`entry!`](crate::entry), in ARM code whatever mode the
/// crate is compiled for (the kernel enters an ELF whose entry address is
/// even in ARM mode): sp points at argc; clear fp and lr, pass sp, align it
/// to 16 (8 is the AAPCS minimum), and call through `blx` on a register,
/// which switches to Thumb when the target function is Thumb code.
#[doc(hidden)]
#[macro_export]
macro_rules! __seccomp_bpf_start_asm {
    ($start:path) => {
        #[allow(unsafe_code)]
        ::core::arch::global_asm!(
            ".arm",
            ".balign 4",
            ".globl _start",
            ".type _start,%function",
            "_start:",
            "mov r0, sp",
            "mov r1, #0",
            "mov r11, r1",
            "mov lr, r1",
            "bic r1, r0, #15",
            "mov sp, r1",
            "ldr r12, ={start}",
            "blx r12",
            "udf #0",
            ".ltorg",
            ".size _start, .-_start",
            start = sym $start,
        );
    };
}
