//! Classic-BPF opcode bits (`linux/bpf_common.h`, `linux/filter.h`).
//!
//! An opcode is the OR of a class, then for loads a size and a mode, for ALU
//! and jumps an operation and a source. [`SECCOMP_OPCODES`] lists every
//! complete opcode the seccomp loader accepts.

/// Class: load into A.
pub const LD: u16 = 0x00;
/// Class: load into X.
pub const LDX: u16 = 0x01;
/// Class: store A into scratch memory.
pub const ST: u16 = 0x02;
/// Class: store X into scratch memory.
pub const STX: u16 = 0x03;
/// Class: arithmetic on A.
pub const ALU: u16 = 0x04;
/// Class: jumps.
pub const JMP: u16 = 0x05;
/// Class: return.
pub const RET: u16 = 0x06;
/// Class: register moves (TAX, TXA).
pub const MISC: u16 = 0x07;

/// Size: 32-bit word.
pub const W: u16 = 0x00;
/// Size: 16-bit half word (not accepted by seccomp).
pub const H: u16 = 0x08;
/// Size: byte (not accepted by seccomp).
pub const B: u16 = 0x10;

/// Mode: immediate constant.
pub const IMM: u16 = 0x00;
/// Mode: absolute offset into `seccomp_data`.
pub const ABS: u16 = 0x20;
/// Mode: indirect offset (X + k; not accepted by seccomp).
pub const IND: u16 = 0x40;
/// Mode: scratch memory slot.
pub const MEM: u16 = 0x60;
/// Mode: packet length (`sizeof(seccomp_data)` under seccomp).
pub const LEN: u16 = 0x80;
/// Mode: IP header length trick (not accepted by seccomp).
pub const MSH: u16 = 0xa0;

/// ALU operation: add.
pub const ADD: u16 = 0x00;
/// ALU operation: subtract.
pub const SUB: u16 = 0x10;
/// ALU operation: multiply.
pub const MUL: u16 = 0x20;
/// ALU operation: unsigned divide.
pub const DIV: u16 = 0x30;
/// ALU operation: or.
pub const OR: u16 = 0x40;
/// ALU operation: and.
pub const AND: u16 = 0x50;
/// ALU operation: left shift.
pub const LSH: u16 = 0x60;
/// ALU operation: right shift (logical).
pub const RSH: u16 = 0x70;
/// ALU operation: negate.
pub const NEG: u16 = 0x80;
/// ALU operation: modulo (not accepted by seccomp).
pub const MOD: u16 = 0x90;
/// ALU operation: exclusive or.
pub const XOR: u16 = 0xa0;

/// Jump: always.
pub const JA: u16 = 0x00;
/// Jump: equal.
pub const JEQ: u16 = 0x10;
/// Jump: greater than (unsigned).
pub const JGT: u16 = 0x20;
/// Jump: greater or equal (unsigned).
pub const JGE: u16 = 0x30;
/// Jump: any bit in common.
pub const JSET: u16 = 0x40;

/// Source: the constant `k`.
pub const K: u16 = 0x00;
/// Source: the X register.
pub const X: u16 = 0x08;
/// Return source: the A register.
pub const A: u16 = 0x10;

/// MISC operation: X = A.
pub const TAX: u16 = 0x00;
/// MISC operation: A = X.
pub const TXA: u16 = 0x80;

/// Extracts the class bits.
pub const fn class(code: u16) -> u16 {
    code & 0x07
}
/// Extracts the size bits of a load.
pub const fn size(code: u16) -> u16 {
    code & 0x18
}
/// Extracts the mode bits of a load.
pub const fn mode(code: u16) -> u16 {
    code & 0xe0
}
/// Extracts the operation bits of an ALU or jump instruction.
pub const fn operation(code: u16) -> u16 {
    code & 0xf0
}
/// Extracts the source bits of an ALU or jump instruction.
pub const fn source(code: u16) -> u16 {
    code & 0x08
}

/// Every opcode seccomp's checker accepts (`seccomp_check_filter`), and
/// nothing else.
pub const SECCOMP_OPCODES: [u16; 41] = [
    LD | W | ABS,
    LD | W | LEN,
    LDX | W | LEN,
    RET | K,
    RET | A,
    ALU | ADD | K,
    ALU | ADD | X,
    ALU | SUB | K,
    ALU | SUB | X,
    ALU | MUL | K,
    ALU | MUL | X,
    ALU | DIV | K,
    ALU | DIV | X,
    ALU | AND | K,
    ALU | AND | X,
    ALU | OR | K,
    ALU | OR | X,
    ALU | XOR | K,
    ALU | XOR | X,
    ALU | LSH | K,
    ALU | LSH | X,
    ALU | RSH | K,
    ALU | RSH | X,
    ALU | NEG,
    LD | IMM,
    LDX | IMM,
    MISC | TAX,
    MISC | TXA,
    LD | MEM,
    LDX | MEM,
    ST,
    STX,
    JMP | JA,
    JMP | JEQ | K,
    JMP | JEQ | X,
    JMP | JGE | K,
    JMP | JGE | X,
    JMP | JGT | K,
    JMP | JGT | X,
    JMP | JSET | K,
    JMP | JSET | X,
];

/// Whether seccomp's checker accepts this opcode at all (its operands are
/// checked separately by [`crate::bpf::verify()`]).
pub const fn seccomp_accepts(code: u16) -> bool {
    let mut i = 0;
    while i < SECCOMP_OPCODES.len() {
        if SECCOMP_OPCODES[i] == code {
            return true;
        }
        i += 1;
    }
    false
}
