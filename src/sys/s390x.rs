//! s390x: `svc 0`, number in r1, arguments in r2..r7, result in r2.

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
                    in("r1") nr,
                    inlateout("r2") a0 => ret,
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

// The condition code is not promised to survive `svc`: no preserves_flags.
syscalls! { (nostack);
    syscall1();
    syscall2(a1: "r3");
    syscall3(a1: "r3", a2: "r4");
    syscall4(a1: "r3", a2: "r4", a3: "r5");
    syscall5(a1: "r3", a2: "r4", a3: "r5", a4: "r6");
    syscall6(a1: "r3", a2: "r4", a3: "r5", a4: "r6", a5: "r7");
}

syscalls! { (nostack, readonly);
    syscall1_readonly();
    syscall2_readonly(a1: "r3");
    syscall3_readonly(a1: "r3", a2: "r4");
    syscall4_readonly(a1: "r3", a2: "r4", a3: "r5");
    syscall5_readonly(a1: "r3", a2: "r4", a3: "r5", a4: "r6");
    syscall6_readonly(a1: "r3", a2: "r4", a3: "r5", a4: "r6", a5: "r7");
}

/// System-call numbers (s390x table).
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
    pub const GETTID: usize = 236;
    /// `tgkill`.
    pub const TGKILL: usize = 241;
    /// `exit_group`.
    pub const EXIT_GROUP: usize = 248;
    /// `waitid`.
    pub const WAITID: usize = 281;
    /// `seccomp`.
    pub const SECCOMP: usize = 348;
}

/// The `_start` of [`entry!`](crate::entry): r15 points at argc; pass it,
/// align r15 to 16, reserve the 160-byte register save area with a zero
/// back chain, call.
#[doc(hidden)]
#[macro_export]
macro_rules! __seccomp_bpf_start_asm {
    ($start:path) => {
        #[allow(unsafe_code)]
        ::core::arch::global_asm!(
            ".globl _start",
            ".type _start,@function",
            "_start:",
            "lgr %r2, %r15",
            "nill %r15, 0xfff0",
            "aghi %r15, -160",
            "xc 0(8,%r15), 0(%r15)",
            "brasl %r14, {start}",
            ".word 0",
            ".size _start, .-_start",
            start = sym $start,
        );
    };
}
