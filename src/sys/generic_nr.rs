//! Numbers of the asm-generic system-call table (arm64, riscv, loongarch),
//! shared by those architecture files.

/// `ioctl`.
pub const IOCTL: usize = 29;
/// `close`.
pub const CLOSE: usize = 57;
/// `write`.
pub const WRITE: usize = 64;
/// `exit_group`.
pub const EXIT_GROUP: usize = 94;
/// `waitid`.
pub const WAITID: usize = 95;
/// `kill`.
pub const KILL: usize = 129;
/// `tgkill`.
pub const TGKILL: usize = 131;
/// `rt_sigaction`.
pub const RT_SIGACTION: usize = 134;
/// `rt_sigprocmask`.
pub const RT_SIGPROCMASK: usize = 135;
/// `rt_sigreturn`.
pub const RT_SIGRETURN: usize = 139;
/// `reboot`.
pub const REBOOT: usize = 142;
/// `prctl`.
pub const PRCTL: usize = 167;
/// `getpid`.
pub const GETPID: usize = 172;
/// `getppid`.
pub const GETPPID: usize = 173;
/// `gettid`.
pub const GETTID: usize = 178;
/// `clone` (there is no `fork` in this table).
pub const CLONE: usize = 220;
/// `seccomp`.
pub const SECCOMP: usize = 277;
