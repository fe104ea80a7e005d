//! loongarch64: `syscall 0`, number in a7, arguments in a0..a5, result in
//! a0; the kernel may change t0..t8, which are declared clobbered.

register_syscalls! {
    insn: "syscall 0",
    nr: "$a7",
    a0: "$a0",
    args: ["$a1", "$a2", "$a3", "$a4", "$a5"],
    clobbers: ["$t0", "$t1", "$t2", "$t3", "$t4", "$t5", "$t6", "$t7", "$t8"],
    options: (nostack, preserves_flags),
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
