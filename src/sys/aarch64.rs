//! aarch64: `svc 0`, number in x8, arguments in x0..x5, result in x0. The
//! kernel preserves every other register and the flags.

register_syscalls! {
    insn: "svc 0",
    nr: "x8",
    a0: "x0",
    args: ["x1", "x2", "x3", "x4", "x5"],
    clobbers: [],
    options: (nostack, preserves_flags),
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
