//! x86_64: `syscall`, number in rax, arguments in rdi, rsi, rdx, r10, r8,
//! r9; the kernel clobbers rcx and r11. x32 (`target_pointer_width = "32"`)
//! uses the same instruction with x32 numbers (0x40000000 and up).

use core::arch::asm;

macro_rules! syscalls {
    ($opts:tt; $($name:ident($($a:ident: $reg:tt),*);)*) => {$(
        #[doc = concat!("`", stringify!($name), "`: the raw system call (see the module's Safety section).")]
        ///
        /// # Safety
        /// The arguments must be valid for the call `nr` (pointers to live
        /// memory of the size the kernel reads or writes).
        #[inline(always)]
        pub unsafe fn $name(nr: usize $(, $a: usize)*) -> usize {
            let ret;
            // SAFETY: the caller guarantees the arguments are valid for `nr`;
            // rcx and r11 are declared clobbered as the kernel uses them.
            unsafe {
                asm!(
                    "syscall",
                    inlateout("rax") nr => ret,
                    $(in($reg) $a,)*
                    lateout("rcx") _,
                    lateout("r11") _,
                    options $opts,
                );
            }
            ret
        }
    )*};
}

syscalls! { (nostack, preserves_flags);
    syscall0();
    syscall1(a0: "rdi");
    syscall2(a0: "rdi", a1: "rsi");
    syscall3(a0: "rdi", a1: "rsi", a2: "rdx");
    syscall4(a0: "rdi", a1: "rsi", a2: "rdx", a3: "r10");
    syscall5(a0: "rdi", a1: "rsi", a2: "rdx", a3: "r10", a4: "r8");
    syscall6(a0: "rdi", a1: "rsi", a2: "rdx", a3: "r10", a4: "r8", a5: "r9");
}

syscalls! { (nostack, preserves_flags, readonly);
    syscall0_readonly();
    syscall1_readonly(a0: "rdi");
    syscall2_readonly(a0: "rdi", a1: "rsi");
    syscall3_readonly(a0: "rdi", a1: "rsi", a2: "rdx");
    syscall4_readonly(a0: "rdi", a1: "rsi", a2: "rdx", a3: "r10");
    syscall5_readonly(a0: "rdi", a1: "rsi", a2: "rdx", a3: "r10", a4: "r8");
    syscall6_readonly(a0: "rdi", a1: "rsi", a2: "rdx", a3: "r10", a4: "r8", a5: "r9");
}

/// System-call numbers (x86_64 table, or the x32 table for
/// `target_pointer_width = "32"`).
pub mod nr {
    #[cfg(target_pointer_width = "64")]
    const B: usize = 0;
    /// x32 calls carry `__X32_SYSCALL_BIT`.
    #[cfg(target_pointer_width = "32")]
    const B: usize = 0x4000_0000;

    /// `write`.
    pub const WRITE: usize = B + 1;
    /// `close`.
    pub const CLOSE: usize = B + 3;
    /// `rt_sigaction` (x32 has its own entry, 512).
    pub const RT_SIGACTION: usize = if B == 0 { 13 } else { B + 512 };
    /// `rt_sigprocmask`.
    pub const RT_SIGPROCMASK: usize = B + 14;
    /// `rt_sigreturn` (x32: 513).
    pub const RT_SIGRETURN: usize = if B == 0 { 15 } else { B + 513 };
    /// `ioctl` (x32: 514).
    pub const IOCTL: usize = if B == 0 { 16 } else { B + 514 };
    /// `getpid`.
    pub const GETPID: usize = B + 39;
    /// `clone`.
    pub const CLONE: usize = B + 56;
    /// `fork`.
    pub const FORK: usize = B + 57;
    /// `wait4`.
    pub const WAIT4: usize = B + 61;
    /// `kill`.
    pub const KILL: usize = B + 62;
    /// `getppid`.
    pub const GETPPID: usize = B + 110;
    /// `prctl`.
    pub const PRCTL: usize = B + 157;
    /// `reboot`.
    pub const REBOOT: usize = B + 169;
    /// `gettid`.
    pub const GETTID: usize = B + 186;
    /// `exit_group`.
    pub const EXIT_GROUP: usize = B + 231;
    /// `tgkill`.
    pub const TGKILL: usize = B + 234;
    /// `waitid` (x32: 529).
    pub const WAITID: usize = if B == 0 { 247 } else { B + 529 };
    /// `seccomp`.
    pub const SECCOMP: usize = B + 317;
}

/// The `_start` of [`entry!`](crate::entry): rsp points at argc; clear the
/// frame pointer, pass the stack pointer, align, call.
#[doc(hidden)]
#[macro_export]
macro_rules! __seccomp_bpf_start_asm {
    ($start:path) => {
        #[allow(unsafe_code)]
        ::core::arch::global_asm!(
            ".globl _start",
            ".type _start,@function",
            "_start:",
            "xor ebp, ebp",
            "mov rdi, rsp",
            "and rsp, -16",
            "call {start}",
            "ud2",
            ".size _start, .-_start",
            start = sym $start,
        );
    };
}
