//! A disassembler for seccomp filters, through `core::fmt`.
//!
//! [`Disasm`] prints one instruction a line: the pc right-aligned in four
//! columns, a colon, and the operation in a C-like form. Jump targets are
//! absolute pcs. Loads from `seccomp_data` are named by field, in the byte
//! order of the ABI given with [`Disasm::abi`] (the host's otherwise).
//! Constants are named where the disassembler knows what A holds: audit
//! arches after `A = arch`, syscall names after `A = nr`, actions on `RET`.
//!
//! ```
//! use seccomp_bpf::bpf::{self, Disasm};
//! use seccomp_bpf::{data, Abi, Action};
//!
//! let prog = [
//!     bpf::ld_abs(data::ARCH),
//!     bpf::jeq_k(Abi::X86_64.audit_arch(), 0, 2),
//!     bpf::ld_abs(data::arg_hi(1, Abi::X86_64.byte_order())),
//!     bpf::ret_k(Action::Allow.to_ret()),
//!     bpf::ret_k(Action::Errno(38).to_ret()),
//! ];
//! let text = format!("{}", Disasm::new(&prog).abi(Abi::X86_64));
//! assert_eq!(
//!     text,
//!     "   0: A = arch
//!    1: if A == X86_64 goto 2 else goto 4
//!    2: A = args[1].hi
//!    3: return ALLOW
//!    4: return ERRNO(38)
//! "
//! );
//! ```
//!
//! The text, line by line:
//!
//! | instruction        | text                                      |
//! |--------------------|-------------------------------------------|
//! | `LD W ABS k`       | `A = nr`, `A = arch`, `A = ip.lo`, `A = args[i].hi`; `A = data[k]` for a bad offset |
//! | `LD/LDX W LEN`     | `A = len`, `X = len`                      |
//! | `LD/LDX IMM`       | `A = k`, `X = k`                          |
//! | `LD/LDX MEM`, `ST/STX` | `A = M[k]`, `X = M[k]`, `M[k] = A`, `M[k] = X` |
//! | `TAX`, `TXA`       | `X = A`, `A = X`                          |
//! | ALU                | `A += k`, `A -= X`, `A *=`, `A /=`, `A &=`, `A \|=`, `A ^=`, `A <<=`, `A >>=`, `A = -A` |
//! | `JA k`             | `goto t`                                  |
//! | `JEQ/JGT/JGE/JSET` | `if A == k goto t else goto f` (`>`, `>=`, `&`) |
//! | `RET K`, `RET A`   | `return ALLOW`, `return ERRNO(38)`, `return A` |
//! | anything else      | `.word code=0x0028 jt=0 jf=0 k=0x00000000` |
//!
//! Numbers print in decimal below 4096 and in hex from there; masks (`&`,
//! `|`, `^`, `JSET`) always in hex.

use core::fmt;

use super::SockFilter;
use super::op::*;
use crate::abi::{Abi, ByteOrder};
use crate::action::Action;
use crate::data::Field;

/// Prints a program, one instruction a line (see the [module docs](self)).
#[derive(Clone, Copy, Debug)]
pub struct Disasm<'a> {
    prog: &'a [SockFilter],
    abi: Option<Abi>,
}

impl<'a> Disasm<'a> {
    /// A disassembly of `prog`, loads named in host byte order and
    /// syscall names taken from the arch the program has just matched.
    pub const fn new(prog: &'a [SockFilter]) -> Self {
        Disasm { prog, abi: None }
    }

    /// Names loads in `abi`'s byte order and syscalls by `abi`'s table.
    pub const fn abi(self, abi: Abi) -> Self {
        Disasm {
            prog: self.prog,
            abi: Some(abi),
        }
    }

    const fn order(&self) -> ByteOrder {
        match self.abi {
            Some(abi) => abi.byte_order(),
            None => ByteOrder::NATIVE,
        }
    }
}

/// What a register is known to hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Reg {
    /// Nothing known.
    Unknown,
    /// A word of `seccomp_data`.
    Field(Field),
}

/// What the disassembler knows on entry to an instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct State {
    /// Whether any path reaches the instruction (if not, nothing is known).
    reached: bool,
    a: Reg,
    x: Reg,
    /// The audit arch every path here has matched with `JEQ`, if they agree.
    arch: Option<u32>,
}

impl State {
    const UNREACHED: State = State {
        reached: false,
        a: Reg::Unknown,
        x: Reg::Unknown,
        arch: None,
    };
    const ENTRY: State = State {
        reached: true,
        a: Reg::Unknown,
        x: Reg::Unknown,
        arch: None,
    };

    /// What holds on every path, given what holds on each.
    fn join(self, other: State) -> State {
        if !self.reached {
            return other;
        }
        if !other.reached {
            return self;
        }
        let pick = |p: Reg, q: Reg| if p == q { p } else { Reg::Unknown };
        State {
            reached: true,
            a: pick(self.a, other.a),
            x: pick(self.x, other.x),
            arch: if self.arch == other.arch {
                self.arch
            } else {
                None
            },
        }
    }
}

/// How far a conditional jump reaches: `jt`/`jf` are at most 255, so a
/// target is at most 256 instructions ahead.
const WINDOW: usize = 256;
/// Room for the targets of long `JA`s still ahead.
const FAR: usize = 16;

/// The states of instructions ahead of the current one, bounded in memory:
/// a ring for targets within [`WINDOW`], a few slots for long jumps, and a
/// pc from which nothing is assumed when those slots overflow.
struct Pending {
    near: [State; WINDOW],
    far: [(usize, State); FAR],
    far_len: usize,
    /// From this pc on, a dropped long jump may arrive: assume nothing.
    unknown_from: usize,
}

impl Pending {
    fn new() -> Self {
        Pending {
            near: [State::UNREACHED; WINDOW],
            far: [(0, State::UNREACHED); FAR],
            far_len: 0,
            unknown_from: usize::MAX,
        }
    }

    /// Records that `state` flows to `target`, seen from `pc`.
    fn add(&mut self, pc: usize, target: usize, state: State) {
        if target <= pc {
            return;
        }
        if target - pc <= WINDOW {
            if let Some(s) = self.near.get_mut(target % WINDOW) {
                *s = s.join(state);
            }
            return;
        }
        for i in 0..self.far_len {
            if let Some((t, s)) = self.far.get_mut(i)
                && *t == target
            {
                *s = s.join(state);
                return;
            }
        }
        if let Some(slot) = self.far.get_mut(self.far_len) {
            *slot = (target, state);
            self.far_len += 1;
        } else {
            self.unknown_from = self.unknown_from.min(target);
        }
    }

    /// Takes the state on entry to `pc`, joining every path recorded.
    fn take(&mut self, pc: usize) -> State {
        let mut state = match self.near.get_mut(pc % WINDOW) {
            Some(s) => core::mem::replace(s, State::UNREACHED),
            None => State::UNREACHED,
        };
        let mut i = 0;
        while i < self.far_len {
            let hit = match self.far.get(i) {
                Some(&(t, s)) if t == pc => Some(s),
                _ => None,
            };
            match hit {
                Some(s) => {
                    state = state.join(s);
                    // Move the last entry into the freed slot.
                    self.far_len -= 1;
                    if let Some(&last) = self.far.get(self.far_len)
                        && let Some(dst) = self.far.get_mut(i)
                    {
                        *dst = last;
                    }
                }
                None => i += 1,
            }
        }
        if pc >= self.unknown_from {
            state = State::ENTRY;
        }
        state
    }
}

impl fmt::Display for Disasm<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.lines() {
            writeln!(f, "{:>4}: {line}", line.pc())?;
        }
        Ok(())
    }
}

impl<'a> Disasm<'a> {
    /// The instructions one by one, each with the text the listing prints
    /// after its `pc: ` (constants named from what the paths before it
    /// establish, as in the full listing). Linear in the program's length.
    ///
    /// ```
    /// use seccomp_bpf::bpf::{self, Disasm};
    /// use seccomp_bpf::{data, Abi, Action};
    ///
    /// let prog = [
    ///     bpf::ld_abs(data::ARCH),
    ///     bpf::jeq_k(Abi::X86_64.audit_arch(), 1, 0),
    ///     bpf::ret_k(Action::KillProcess.to_ret()),
    ///     bpf::ld_abs(data::NR),
    ///     bpf::jeq_k(39, 0, 1),
    ///     bpf::ret_k(Action::Allow.to_ret()),
    ///     bpf::ret_k(Action::Errno(38).to_ret()),
    /// ];
    /// let d = Disasm::new(&prog);
    /// let texts: Vec<String> = d.lines().map(|l| l.to_string()).collect();
    /// assert_eq!(texts[1], "if A == X86_64 goto 3 else goto 2");
    /// assert_eq!(texts[4], "if A == getpid goto 5 else goto 6");
    /// assert_eq!(d.insn(6).map(|l| l.to_string()).as_deref(), Some("return ERRNO(38)"));
    /// ```
    pub fn lines(&self) -> Lines<'a> {
        let mut pending = Pending::new();
        if let Some(first) = pending.near.first_mut() {
            *first = State::ENTRY;
        }
        Lines {
            disasm: *self,
            pending,
            pc: 0,
        }
    }

    /// The text of instruction `pc` alone (see [`Disasm::lines`]); `None`
    /// past the end. Linear in `pc`: for many instructions, iterate
    /// [`Disasm::lines`] once instead.
    pub fn insn(&self, pc: usize) -> Option<Line<'a>> {
        self.lines().nth(pc)
    }
}

/// The instructions of a [`Disasm`] one by one ([`Disasm::lines`]).
pub struct Lines<'a> {
    disasm: Disasm<'a>,
    pending: Pending,
    pc: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let pc = self.pc;
        let insn = *self.disasm.prog.get(pc)?;
        let state = self.pending.take(pc);
        flow(&mut self.pending, pc, insn, state, self.disasm.order());
        self.pc += 1;
        Some(Line {
            disasm: self.disasm,
            pc,
            insn,
            state,
        })
    }
}

/// One instruction of a [`Disasm`]; its `Display` is the text the listing
/// prints after `pc: ` (no pc, no newline).
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    disasm: Disasm<'a>,
    pc: usize,
    insn: SockFilter,
    state: State,
}

impl Line<'_> {
    /// The instruction's index.
    pub const fn pc(&self) -> usize {
        self.pc
    }
    /// The instruction.
    pub const fn insn(&self) -> SockFilter {
        self.insn
    }
}

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.disasm;
        d.line(f, self.pc, self.insn, self.state, d.order())
    }
}

impl Disasm<'_> {
    fn line(
        &self,
        f: &mut fmt::Formatter<'_>,
        pc: usize,
        insn: SockFilter,
        state: State,
        order: ByteOrder,
    ) -> fmt::Result {
        let k = insn.k;
        let c = insn.code;
        if !seccomp_accepts(c) {
            return write!(
                f,
                ".word code={:#06x} jt={} jf={} k={:#010x}",
                c, insn.jt, insn.jf, k
            );
        }
        match class(c) {
            LD | LDX => {
                let reg = if class(c) == LD { 'A' } else { 'X' };
                match mode(c) {
                    ABS => match Field::at(k, order) {
                        Some(field) => write!(f, "A = {}", FieldName(field)),
                        None => write!(f, "A = data[{}]", Num(k)),
                    },
                    LEN => write!(f, "{reg} = len"),
                    IMM => write!(f, "{reg} = {}", Num(k)),
                    _ => write!(f, "{reg} = M[{k}]"),
                }
            }
            ST => write!(f, "M[{k}] = A"),
            STX => write!(f, "M[{k}] = X"),
            MISC => f.write_str(if c == MISC | TAX { "X = A" } else { "A = X" }),
            ALU => {
                let sym = match operation(c) {
                    ADD => "+=",
                    SUB => "-=",
                    MUL => "*=",
                    DIV => "/=",
                    OR => "|=",
                    AND => "&=",
                    XOR => "^=",
                    LSH => "<<=",
                    RSH => ">>=",
                    _ => return f.write_str("A = -A"),
                };
                if source(c) == X {
                    write!(f, "A {sym} X")
                } else if matches!(operation(c), OR | AND | XOR) {
                    write!(f, "A {sym} {k:#x}")
                } else {
                    write!(f, "A {sym} {}", Num(k))
                }
            }
            JMP if c == JMP | JA => write!(f, "goto {}", target(pc, k)),
            JMP => {
                let sym = match operation(c) {
                    JEQ => "==",
                    JGT => ">",
                    JGE => ">=",
                    _ => "&",
                };
                f.write_str("if A ")?;
                f.write_str(sym)?;
                f.write_str(" ")?;
                if source(c) == X {
                    f.write_str("X")?;
                } else {
                    self.operand(f, c, k, state)?;
                }
                write!(
                    f,
                    " goto {} else goto {}",
                    target(pc, insn.jt as u32),
                    target(pc, insn.jf as u32)
                )
            }
            _ => {
                if c == RET | A {
                    f.write_str("return A")
                } else {
                    write!(f, "return {}", Action::from_ret(k))
                }
            }
        }
    }

    /// The constant of a `K` comparison, named when A's content is known.
    fn operand(&self, f: &mut fmt::Formatter<'_>, c: u16, k: u32, state: State) -> fmt::Result {
        let op = operation(c);
        if op == JSET {
            return write!(f, "{k:#x}");
        }
        if op == JEQ {
            match state.a {
                Reg::Field(Field::Arch) => {
                    if let Some(name) = audit_arch_name(k) {
                        return f.write_str(name);
                    }
                    return write!(f, "{k:#x}");
                }
                Reg::Field(Field::Nr) => {
                    let abi = match (self.abi, state.arch) {
                        (Some(abi), _) => Some(abi),
                        (None, Some(arch)) => Abi::from_audit_arch(arch, k),
                        (None, None) => None,
                    };
                    if let Some(name) = abi.and_then(|abi| syscall_name(abi, k)) {
                        return f.write_str(name);
                    }
                }
                _ => {}
            }
        }
        write!(f, "{}", Num(k))
    }
}

/// Propagates what is known after `insn` to the instructions it can reach.
fn flow(pending: &mut Pending, pc: usize, insn: SockFilter, state: State, order: ByteOrder) {
    if !state.reached {
        // Dead code adds no path to what follows it.
        return;
    }
    let c = insn.code;
    let k = insn.k;
    let mut out = state;
    let next = pc.saturating_add(1);
    if !seccomp_accepts(c) {
        // An instruction the kernel refuses: assume nothing after it.
        out.a = Reg::Unknown;
        out.x = Reg::Unknown;
        pending.add(pc, next, out);
        return;
    }
    match class(c) {
        LD => {
            out.a = match mode(c) {
                ABS => match Field::at(k, order) {
                    Some(field) => Reg::Field(field),
                    None => Reg::Unknown,
                },
                _ => Reg::Unknown,
            }
        }
        LDX => out.x = Reg::Unknown,
        MISC => {
            if c == MISC | TAX {
                out.x = out.a;
            } else {
                out.a = out.x;
            }
        }
        ALU => out.a = Reg::Unknown,
        RET => return,
        JMP if c == JMP | JA => {
            pending.add(pc, target(pc, k), out);
            return;
        }
        JMP => {
            let mut taken = out;
            if c == JMP | JEQ | K && out.a == Reg::Field(Field::Arch) {
                taken.arch = Some(k);
            }
            pending.add(pc, target(pc, insn.jt as u32), taken);
            pending.add(pc, target(pc, insn.jf as u32), out);
            return;
        }
        _ => {}
    }
    pending.add(pc, next, out);
}

/// The absolute pc a jump by `off` from `pc` lands on.
fn target(pc: usize, off: u32) -> usize {
    pc.saturating_add(1)
        .saturating_add(usize::try_from(off).unwrap_or(usize::MAX))
}

/// A constant: decimal below 4096, hex from there.
struct Num(u32);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 4096 {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:#x}", self.0)
        }
    }
}

struct FieldName(Field);

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Field::Nr => f.write_str("nr"),
            Field::Arch => f.write_str("arch"),
            Field::IpLo => f.write_str("ip.lo"),
            Field::IpHi => f.write_str("ip.hi"),
            Field::ArgLo(i) => write!(f, "args[{i}].lo"),
            Field::ArgHi(i) => write!(f, "args[{i}].hi"),
        }
    }
}

/// The kernel's name for an audit arch value (`AUDIT_ARCH_` dropped).
const fn audit_arch_name(arch: u32) -> Option<&'static str> {
    Some(match arch {
        0xC000_003E => "X86_64",
        0x4000_0003 => "I386",
        0xC000_00B7 => "AARCH64",
        0x4000_0028 => "ARM",
        0x0000_0028 => "ARMEB",
        0xC000_00F3 => "RISCV64",
        0x4000_00F3 => "RISCV32",
        0xC000_0102 => "LOONGARCH64",
        0x4000_0102 => "LOONGARCH32",
        0x0000_0008 => "MIPS",
        0x4000_0008 => "MIPSEL",
        0x8000_0008 => "MIPS64",
        0xC000_0008 => "MIPSEL64",
        0xA000_0008 => "MIPS64N32",
        0xE000_0008 => "MIPSEL64N32",
        0x0000_0014 => "PPC",
        0x8000_0015 => "PPC64",
        0xC000_0015 => "PPC64LE",
        0x0000_0016 => "S390",
        0x8000_0016 => "S390X",
        0x0000_000F => "PARISC",
        0x8000_000F => "PARISC64",
        0x0000_002A => "SH",
        0x4000_002A => "SHEL",
        0x0000_0004 => "M68K",
        0x4000_00FC => "CSKY",
        0x0000_005E => "XTENSA",
        0x0000_0002 => "SPARC",
        0x8000_002B => "SPARC64",
        _ => return None,
    })
}

/// The name of syscall `nr` on `abi`.
const fn syscall_name(abi: Abi, nr: u32) -> Option<&'static str> {
    match crate::Syscall::from_nr(abi, nr) {
        Some(call) => Some(call.name()),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::{self, op};
    use crate::data;
    use std::format;

    fn text(d: Disasm<'_>) -> std::string::String {
        format!("{d}")
    }

    /// x86_64 and i386 with their own checks, and a check both reach.
    fn multi_abi() -> [SockFilter; 14] {
        [
            bpf::ld_abs(data::ARCH),
            bpf::jeq_k(Abi::X86_64.audit_arch(), 0, 4),
            bpf::ld_abs(data::NR),
            bpf::jge_k(0x4000_0000, 9, 0),
            bpf::jeq_k(257, 7, 0),
            bpf::ja(3),
            bpf::jeq_k(Abi::X86.audit_arch(), 0, 6),
            bpf::ld_abs(data::NR),
            bpf::jeq_k(295, 3, 0),
            bpf::ld_abs(data::NR),
            bpf::jeq_k(39, 1, 0),
            bpf::ret_k(Action::Errno(38).to_ret()),
            bpf::ret_k(Action::Allow.to_ret()),
            bpf::ret_k(Action::KillProcess.to_ret()),
        ]
    }

    #[test]
    fn multi_abi_program() {
        let prog = multi_abi();
        let want = "   0: A = arch
   1: if A == X86_64 goto 2 else goto 6
   2: A = nr
   3: if A >= 0x40000000 goto 13 else goto 4
   4: if A == openat goto 12 else goto 5
   5: goto 9
   6: if A == I386 goto 7 else goto 13
   7: A = nr
   8: if A == openat goto 12 else goto 9
   9: A = nr
  10: if A == 39 goto 12 else goto 11
  11: return ERRNO(38)
  12: return ALLOW
  13: return KILL_PROCESS
";
        assert_eq!(text(Disasm::new(&prog)), want);
        // The program is what the text says.
        let go = |abi: Abi, nr| {
            let d = crate::SeccompData::new(nr, abi.audit_arch(), [0; 6]);
            bpf::run(&prog, ByteOrder::Little, &d).map(|o| o.action())
        };
        assert_eq!(go(Abi::X86_64, 257), Ok(Action::Allow));
        assert_eq!(go(Abi::X86_64, 39), Ok(Action::Allow));
        assert_eq!(go(Abi::X86_64, 0x4000_0101), Ok(Action::KillProcess));
        assert_eq!(go(Abi::X86, 295), Ok(Action::Allow));
        assert_eq!(go(Abi::X86, 5), Ok(Action::Errno(38)));
        assert_eq!(go(Abi::Aarch64, 257), Ok(Action::KillProcess));
    }

    #[test]
    fn given_abi_names_every_nr() {
        // With an ABI given, every nr comparison is named from its table,
        // whatever arch the path matched.
        let prog = multi_abi();
        let out = text(Disasm::new(&prog).abi(Abi::X86_64));
        let lines: std::vec::Vec<&str> = out.lines().collect();
        assert_eq!(lines[4], "   4: if A == openat goto 12 else goto 5");
        assert_eq!(lines[8], "   8: if A == preadv goto 12 else goto 9");
        assert_eq!(lines[10], "  10: if A == getpid goto 12 else goto 11");
        // x32 numbers behind the x86_64 arch check are named from x32's table.
        let x32 = [
            bpf::ld_abs(data::ARCH),
            bpf::jeq_k(Abi::X86_64.audit_arch(), 0, 2),
            bpf::ld_abs(data::NR),
            bpf::jeq_k(0x4000_0000 | 257, 0, 0),
            bpf::ret_k(Action::Allow.to_ret()),
        ];
        let out = text(Disasm::new(&x32));
        assert!(
            out.contains("   3: if A == openat goto 4 else goto 4\n"),
            "{out}"
        );
    }

    #[test]
    fn big_endian_abi_names_the_other_half() {
        let prog = [
            bpf::ld_abs(data::ARCH),
            bpf::jeq_k(Abi::S390x.audit_arch(), 1, 0),
            bpf::ret_k(Action::KillThread.to_ret()),
            bpf::ld_abs(16),
            bpf::jset_k(0x8000_0000, 5, 0),
            bpf::ld_abs(20),
            bpf::st(0),
            bpf::ld_abs(8),
            bpf::ldx_mem(0),
            bpf::ret_k(Action::Trap(7).to_ret()),
            bpf::ret_k(Action::Errno(1).to_ret()),
        ];
        let want = "   0: A = arch
   1: if A == S390X goto 3 else goto 2
   2: return KILL_THREAD
   3: A = args[0].hi
   4: if A & 0x80000000 goto 10 else goto 5
   5: A = args[0].lo
   6: M[0] = A
   7: A = ip.hi
   8: X = M[0]
   9: return TRAP(7)
  10: return ERRNO(1)
";
        assert_eq!(text(Disasm::new(&prog).abi(Abi::S390x)), want);
        // Little-endian names the same offsets the other way round.
        let le = text(Disasm::new(&prog).abi(Abi::Aarch64));
        assert!(le.contains("   3: A = args[0].lo\n"), "{le}");
        assert!(le.contains("   5: A = args[0].hi\n"), "{le}");
        assert!(le.contains("   7: A = ip.lo\n"), "{le}");
    }

    #[test]
    fn every_instruction_form() {
        let prog = [
            bpf::ld_len(),
            bpf::ldx_len(),
            bpf::ld_imm(5000),
            bpf::ldx_imm(7),
            bpf::ld_mem(3),
            bpf::stx(15),
            bpf::tax(),
            bpf::txa(),
            bpf::add_k(1),
            bpf::sub_k(4096),
            bpf::alu_k(op::MUL, 3),
            bpf::alu_k(op::DIV, 2),
            bpf::or_k(1),
            bpf::and_k(0xff),
            bpf::xor_k(0),
            bpf::lsh_k(4),
            bpf::rsh_k(31),
            bpf::alu_x(op::DIV),
            bpf::alu_x(op::LSH),
            bpf::neg(),
            bpf::jgt_k(10, 0, 0),
            bpf::jeq_x(1, 0),
            bpf::jge_x(0, 0),
            bpf::jset_x(0, 0),
            bpf::ret_k(Action::Log.to_ret()),
            bpf::ret_k(Action::UserNotif.to_ret()),
            bpf::ret_k(Action::Trace(3).to_ret()),
            bpf::ret_a(),
        ];
        let want = "   0: A = len
   1: X = len
   2: A = 0x1388
   3: X = 7
   4: A = M[3]
   5: M[15] = X
   6: X = A
   7: A = X
   8: A += 1
   9: A -= 0x1000
  10: A *= 3
  11: A /= 2
  12: A |= 0x1
  13: A &= 0xff
  14: A ^= 0x0
  15: A <<= 4
  16: A >>= 31
  17: A /= X
  18: A <<= X
  19: A = -A
  20: if A > 10 goto 21 else goto 21
  21: if A == X goto 23 else goto 22
  22: if A >= X goto 23 else goto 23
  23: if A & X goto 24 else goto 24
  24: return LOG
  25: return NOTIFY
  26: return TRACE(3)
  27: return A
";
        assert_eq!(text(Disasm::new(&prog)), want);
    }

    #[test]
    fn garbage_gets_a_line_per_instruction() {
        let prog = [
            SockFilter::jump(0xffff, 0xdead_beef, 0xab, 0xcd),
            SockFilter::stmt(op::LD | op::H | op::ABS, 4),
            SockFilter::stmt(op::ALU | op::MOD | op::K, 3),
            bpf::ld_abs(2),
            bpf::ld_abs(64),
            bpf::ld_mem(99),
            bpf::jeq_k(Abi::X86_64.audit_arch(), 255, 255),
            bpf::ja(u32::MAX),
            bpf::ret_k(0x0001_0002),
        ];
        let want = "   0: .word code=0xffff jt=171 jf=205 k=0xdeadbeef
   1: .word code=0x0028 jt=0 jf=0 k=0x00000004
   2: .word code=0x0094 jt=0 jf=0 k=0x00000003
   3: A = data[2]
   4: A = data[64]
   5: A = M[99]
   6: if A == 0xc000003e goto 262 else goto 262
   7: goto 4294967303
   8: return UNKNOWN(0x00010002)
";
        assert_eq!(text(Disasm::new(&prog)), want);
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A deterministic stream of instructions, most of them invalid,
        // some long and jumping far ahead.
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut prog = std::vec::Vec::new();
        for i in 0..5000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let w = state >> 16;
            let code = if i % 3 == 0 {
                op::SECCOMP_OPCODES[(w % 41) as usize]
            } else {
                w as u16
            };
            prog.push(SockFilter::jump(
                code,
                (w >> 32) as u32 % 9000,
                (w >> 16) as u8,
                (w >> 24) as u8,
            ));
        }
        let out = text(Disasm::new(&prog));
        assert_eq!(out.lines().count(), prog.len());
        for (pc, line) in out.lines().enumerate() {
            assert!(line.starts_with(&format!("{pc:>4}: ")), "{line}");
        }
    }
}
