//! x86 (i386): `int 0x80`, number in eax, arguments in ebx, ecx, edx, esi,
//! edi, ebp. LLVM keeps esi and ebp for itself (esi can be its base
//! pointer, ebp the frame pointer), so they cannot be asm operands: the
//! fourth argument is swapped into esi around the call, and the five- and
//! six-argument forms pass the last ones through memory and save esi/ebp
//! on the stack by hand. `int 0x80` works the same from 32-bit and 64-bit
//! kernels.

use core::arch::asm;

macro_rules! doc_safety {
    ($($item:item)*) => {$(
        /// A raw system call (see the module's Safety section).
        ///
        /// # Safety
        /// The arguments must be valid for the call `nr` (pointers to live
        /// memory of the size the kernel reads or writes).
        #[inline(always)]
        $item
    )*};
}

macro_rules! variants {
    ($opts:tt, $opts_stack:tt, $s0:ident, $s1:ident, $s2:ident, $s3:ident, $s4:ident, $s5:ident, $s6:ident) => {
        doc_safety! {
            pub unsafe fn $s0(nr: usize) -> usize {
                let ret;
                // SAFETY: the caller guarantees the call is valid.
                unsafe { asm!("int 0x80", inlateout("eax") nr => ret, options $opts) };
                ret
            }
            pub unsafe fn $s1(nr: usize, a0: usize) -> usize {
                let ret;
                // SAFETY: the caller guarantees the arguments are valid.
                unsafe { asm!("int 0x80", inlateout("eax") nr => ret, in("ebx") a0, options $opts) };
                ret
            }
            pub unsafe fn $s2(nr: usize, a0: usize, a1: usize) -> usize {
                let ret;
                // SAFETY: the caller guarantees the arguments are valid.
                unsafe {
                    asm!("int 0x80", inlateout("eax") nr => ret, in("ebx") a0, in("ecx") a1, options $opts)
                };
                ret
            }
            pub unsafe fn $s3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
                let ret;
                // SAFETY: the caller guarantees the arguments are valid.
                unsafe {
                    asm!(
                        "int 0x80",
                        inlateout("eax") nr => ret, in("ebx") a0, in("ecx") a1, in("edx") a2,
                        options $opts,
                    )
                };
                ret
            }
            pub unsafe fn $s4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
                let ret;
                // SAFETY: the caller guarantees the arguments are valid; esi
                // is swapped back, so it holds its old value afterwards.
                unsafe {
                    asm!(
                        "xchg esi, {a3}",
                        "int 0x80",
                        "xchg esi, {a3}",
                        a3 = in(reg) a3,
                        inlateout("eax") nr => ret, in("ebx") a0, in("ecx") a1, in("edx") a2,
                        options $opts,
                    )
                };
                ret
            }
            pub unsafe fn $s5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
                let ret;
                let mem = [a3, nr];
                // SAFETY: the caller guarantees the arguments are valid; esi
                // is pushed and popped around the call; `mem` is live.
                unsafe {
                    asm!(
                        "push esi",
                        "mov esi, dword ptr [eax]",
                        "mov eax, dword ptr [eax + 4]",
                        "int 0x80",
                        "pop esi",
                        inlateout("eax") mem.as_ptr() as usize => ret,
                        in("ebx") a0, in("ecx") a1, in("edx") a2, in("edi") a4,
                        options $opts_stack,
                    )
                };
                ret
            }
            #[allow(clippy::too_many_arguments)]
            pub unsafe fn $s6(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize) -> usize {
                let ret;
                let mem = [a3, a5, nr];
                // SAFETY: the caller guarantees the arguments are valid; esi
                // and ebp are pushed and popped around the call; `mem` is live.
                unsafe {
                    asm!(
                        "push ebp",
                        "push esi",
                        "mov esi, dword ptr [eax]",
                        "mov ebp, dword ptr [eax + 4]",
                        "mov eax, dword ptr [eax + 8]",
                        "int 0x80",
                        "pop esi",
                        "pop ebp",
                        inlateout("eax") mem.as_ptr() as usize => ret,
                        in("ebx") a0, in("ecx") a1, in("edx") a2, in("edi") a4,
                        options $opts_stack,
                    )
                };
                ret
            }
        }
    };
}

variants!(
    (nostack, preserves_flags),
    (preserves_flags),
    syscall0,
    syscall1,
    syscall2,
    syscall3,
    syscall4,
    syscall5,
    syscall6
);
variants!(
    (nostack, preserves_flags, readonly),
    (preserves_flags, readonly),
    syscall0_readonly,
    syscall1_readonly,
    syscall2_readonly,
    syscall3_readonly,
    syscall4_readonly,
    syscall5_readonly,
    syscall6_readonly
);

/// System-call numbers (i386 table).
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
    pub const EXIT_GROUP: usize = 252;
    /// `tgkill`.
    pub const TGKILL: usize = 270;
    /// `waitid`.
    pub const WAITID: usize = 284;
    /// `seccomp`.
    pub const SECCOMP: usize = 354;
}

/// The `_start` of [`entry!`](crate::entry): esp points at argc; pass it as
/// the cdecl argument with the stack 16-byte aligned at the call.
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
            "mov eax, esp",
            "and esp, -16",
            "sub esp, 12",
            "push eax",
            "call {start}",
            "ud2",
            ".size _start, .-_start",
            start = sym $start,
        );
    };
}
