//! riscv64 and riscv32 (one file: the same instruction and registers, only
//! the word size differs): `ecall`, number in a7, arguments in a0..a5,
//! result in a0.

register_syscalls! {
    insn: "ecall",
    nr: "a7",
    a0: "a0",
    args: ["a1", "a2", "a3", "a4", "a5"],
    clobbers: [],
    options: (nostack, preserves_flags),
}

/// System-call numbers (the generic table; riscv32 has no `wait4`, only
/// `waitid`).
pub mod nr {
    pub use super::super::generic_nr::*;
    /// `wait4`.
    #[cfg(target_arch = "riscv64")]
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
            "li ra, 0",
            "li s0, 0",
            "mv a0, sp",
            "andi sp, sp, -16",
            "call {start}",
            "unimp",
            ".size _start, .-_start",
            start = sym $start,
        );
    };
}
