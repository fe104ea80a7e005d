//! s390x: `svc 0`, number in r1, arguments in r2..r7, result in r2.

// The condition code is not promised to survive `svc`: no preserves_flags.
register_syscalls! {
    insn: "svc 0",
    nr: "r1",
    a0: "r2",
    args: ["r3", "r4", "r5", "r6", "r7"],
    clobbers: [],
    options: (nostack),
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
