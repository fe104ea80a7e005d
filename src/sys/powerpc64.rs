//! powerpc64 (ELFv1 big-endian and ELFv2 little-endian): `sc`, number in
//! r0, arguments in r3..r8, result in r3. The kernel reports an error by
//! setting the summary-overflow bit of cr0 with a positive errno in r3; the
//! asm negates it so [`decode`](super::decode) sees the usual `-errno`.
//! r0, r4..r12, cr0, ctr and xer may change and are declared clobbered.

use core::arch::asm;

macro_rules! syscalls {
    ($raw:ident; $($name:ident($($a:ident),*);)*) => {$(
        /// A raw system call (see the module's Safety section).
        ///
        /// # Safety
        /// The arguments must be valid for the call `nr` (pointers to live
        /// memory of the size the kernel reads or writes).
        #[inline(always)]
        pub unsafe fn $name(nr: usize, a0: usize $(, $a: usize)*) -> usize {
            // Unused argument registers get 0; the kernel ignores them.
            let [a1, a2, a3, a4, a5] = pad([$($a),*]);
            // SAFETY: forwarded to the caller.
            unsafe { $raw(nr, a0, a1, a2, a3, a4, a5) }
        }
    )*};
}

/// Pads up to five arguments with zeros.
#[inline(always)]
const fn pad<const N: usize>(a: [usize; N]) -> [usize; 5] {
    let mut out = [0; 5];
    let mut i = 0;
    while i < N && i < 5 {
        out[i] = a[i];
        i += 1;
    }
    out
}

macro_rules! raw {
    ($name:ident, $opts:tt) => {
        /// # Safety
        /// As for the public variants.
        #[inline(always)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $name(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize) -> usize {
            let ret;
            // SAFETY: the caller guarantees the arguments are valid for `nr`;
            // every register the kernel may change is clobbered.
            unsafe {
                asm!(
                    "sc",
                    "bns+ 1f",
                    "neg 3, 3",
                    "1:",
                    inlateout("r0") nr => _,
                    inlateout("r3") a0 => ret,
                    inlateout("r4") a1 => _,
                    inlateout("r5") a2 => _,
                    inlateout("r6") a3 => _,
                    inlateout("r7") a4 => _,
                    inlateout("r8") a5 => _,
                    lateout("r9") _, lateout("r10") _, lateout("r11") _, lateout("r12") _,
                    out("cr0") _, out("ctr") _, out("xer") _,
                    options $opts,
                );
            }
            ret
        }
    };
}

raw!(raw6, (nostack));
raw!(raw6_readonly, (nostack, readonly));

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

syscalls! { raw6;
    syscall1();
    syscall2(a1);
    syscall3(a1, a2);
    syscall4(a1, a2, a3);
    syscall5(a1, a2, a3, a4);
    syscall6(a1, a2, a3, a4, a5);
}

syscalls! { raw6_readonly;
    syscall1_readonly();
    syscall2_readonly(a1);
    syscall3_readonly(a1, a2);
    syscall4_readonly(a1, a2, a3);
    syscall5_readonly(a1, a2, a3, a4);
    syscall6_readonly(a1, a2, a3, a4, a5);
}

/// System-call numbers (powerpc64 table).
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
    pub const PRCTL: usize = 171;
    /// `rt_sigreturn`.
    pub const RT_SIGRETURN: usize = 172;
    /// `rt_sigaction`.
    pub const RT_SIGACTION: usize = 173;
    /// `rt_sigprocmask`.
    pub const RT_SIGPROCMASK: usize = 174;
    /// `gettid`.
    pub const GETTID: usize = 207;
    /// `exit_group`.
    pub const EXIT_GROUP: usize = 234;
    /// `tgkill`.
    pub const TGKILL: usize = 250;
    /// `waitid`.
    pub const WAITID: usize = 272;
    /// `seccomp`.
    pub const SECCOMP: usize = 358;
}

/// The `_start` of [`entry!`](crate::entry) (ELFv2): the kernel sets r12
/// to the entry address, from which the TOC pointer r2 is computed; r1
/// points at argc. Pass it, align r1 to 16, push a zero back chain, call.
#[doc(hidden)]
#[macro_export]
macro_rules! __seccomp_bpf_start_asm {
    ($start:path) => {
        #[allow(unsafe_code)]
        ::core::arch::global_asm!(
            ".globl _start",
            ".type _start,@function",
            "_start:",
            "addis 2, 12, .TOC.-_start@ha",
            "addi 2, 2, .TOC.-_start@l",
            ".localentry _start, .-_start",
            "mr 3, 1",
            "clrrdi 1, 1, 4",
            "li 0, 0",
            "stdu 0, -32(1)",
            "bl {start}",
            "nop",
            "trap",
            ".size _start, .-_start",
            start = sym $start,
        );
    };
}
