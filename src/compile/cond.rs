//! Argument code: the tests for one syscall number whose decision depends
//! on its arguments.
//!
//! The rules on the number are tested in the order that decides (kernel
//! precedence of their actions, then the order written); the first whose
//! conditions all hold returns its action, and the last resort is the
//! unconditional rule tested first, or the default. Rules after an
//! unconditional one, rules whose conditions repeat an earlier rule's, and
//! trailing rules whose action is the last resort's are dropped; runs of
//! one-condition equality rules with the same action on the same argument
//! are tested as one set.
//!
//! # 64-bit comparisons
//!
//! A filter loads 32-bit words, so a comparison of a 64-bit argument `a =
//! (ah, al)` with a constant `v = (vh, vl)` takes two steps: the high words
//! decide unless they are equal, and then the low words decide. For `a > v`:
//!
//! ```text
//!   A = ah
//!   ah >  vh ? ------------------------------------> true
//!   ah == vh ? --no--------------------------------> false
//!      | yes
//!   A = al
//!   al >  vl ? --yes-------------------------------> true
//!      '--no---------------------------------------> false
//! ```
//!
//! `a >= v` is the same with `al >= vl` in the last step; `a < v` and `a <=
//! v` swap the outcomes of `>=` and `>`. Equality tests the low words
//! first (they differ more often) and then the high words; masks apply to
//! each half (`(ah & mh) == vh && (al & ml) == vl`); sets group their
//! values by high word. Which word is the high half depends on the ABI's
//! byte order ([`crate::data::arg_hi`]). When only 32 bits are compared
//! (a `Low32` condition, or any condition on a 32-bit ABI) only the low
//! word is loaded.

use super::CompileError;
use super::lower::Gen;
use crate::abi::Abi;
use crate::bpf::op::*;
use crate::data;
use crate::policy::{Cmp, Cond, Policy, Rule};

/// No word of `seccomp_data` is known to be in A.
const UNKNOWN: u32 = u32::MAX;

/// Where an argument's words are, and how many count.
#[derive(Clone, Copy)]
struct Arg {
    lo: u32,
    hi: u32,
    wide: bool,
}

const fn half_hi(v: u64) -> u32 {
    (v >> 32) as u32
}

impl<const N: usize> Gen<'_, N> {
    /// The argument code for number `nr` on `abi`.
    pub(crate) const fn args(
        &mut self,
        p: &Policy<'_>,
        abi: Abi,
        nr: u32,
    ) -> Result<u32, CompileError> {
        let rules = p.rules();
        // The rules on this number, in the order that decides.
        let mut m = 0;
        let mut r = 0;
        while r < rules.len() {
            if let Ok(Some(n)) = rules[r].nr_on(r, abi) {
                if n == nr {
                    if m >= self.arg_rules.len() || r > u16::MAX as usize {
                        return Err(CompileError::TooManyRules { abi });
                    }
                    // Insertion by (precedence, index).
                    let mut at = m;
                    while at > 0 && precedes(rules, r, self.arg_rules[at - 1] as usize) {
                        self.arg_rules[at] = self.arg_rules[at - 1];
                        at -= 1;
                    }
                    self.arg_rules[at] = r as u16;
                    m += 1;
                }
            }
            r += 1;
        }
        // Cut at the first unconditional rule: it is the last resort.
        let mut last = p.default_action();
        let mut live = 0;
        while live < m {
            let rule = &rules[self.arg_rules[live] as usize];
            if rule.conds.is_empty() {
                last = rule.action;
                break;
            }
            live += 1;
        }
        let last_ret = p.effective(last).to_ret();
        // Drop rules repeating an earlier rule's conditions.
        let mut i = 1;
        let mut kept = if live > 0 { 1 } else { 0 };
        while i < live {
            let ri = self.arg_rules[i] as usize;
            let mut dup = false;
            let mut j = 0;
            while j < kept {
                if same_conds(&rules[ri], &rules[self.arg_rules[j] as usize]) {
                    dup = true;
                }
                j += 1;
            }
            if !dup {
                self.arg_rules[kept] = ri as u16;
                kept += 1;
            }
            i += 1;
        }
        // Trailing rules that return the last resort anyway.
        while kept > 0
            && p.effective(rules[self.arg_rules[kept - 1] as usize].action)
                .to_ret()
                == last_ret
        {
            kept -= 1;
        }
        let (order, wide) = (abi.byte_order(), abi.word_bits() == 64);
        let mut node = self.e.ret(last_ret);
        let mut end = kept;
        while end > 0 {
            let r = self.arg_rules[end - 1] as usize;
            let t = self.e.ret(p.effective(rules[r].action).to_ret());
            // A run of mergeable equality rules ending here?
            let mut start = end - 1;
            while start > 0 && mergeable(&rules[self.arg_rules[start - 1] as usize], &rules[r], p) {
                start -= 1;
            }
            if start + 1 < end {
                let c = rules[r].conds[0];
                let arg = arg_of(&c, order, wide);
                node = self.any_of(arg, rules, start, end, t, node);
            } else {
                node = self.all(rules[r].conds, order, wide, t, node);
            }
            end = start;
        }
        Ok(node)
    }

    /// Code that goes to `t` when every condition holds, else to `f`.
    const fn all(
        &mut self,
        conds: &[Cond<'_>],
        order: crate::ByteOrder,
        wide: bool,
        t: u32,
        f: u32,
    ) -> u32 {
        let mut node = t;
        let mut c = conds.len();
        while c > 0 {
            c -= 1;
            node = self.cond(&conds[c], arg_of(&conds[c], order, wide), node, f);
        }
        node
    }

    /// One condition.
    const fn cond(&mut self, c: &Cond<'_>, a: Arg, t: u32, f: u32) -> u32 {
        match c.cmp {
            Cmp::Eq(v) => self.eq(a, v, t, f),
            Cmp::Ne(v) => self.eq(a, v, f, t),
            Cmp::Gt(v) => self.gt(a, v, t, f),
            Cmp::Le(v) => self.gt(a, v, f, t),
            Cmp::Ge(v) => self.ge(a, v, t, f),
            Cmp::Lt(v) => self.ge(a, v, f, t),
            Cmp::MaskedEq { mask, value } => {
                if value & !mask != 0 {
                    return f;
                }
                let n = if a.wide {
                    self.masked(a.hi, half_hi(mask), half_hi(value), t, f)
                } else {
                    t
                };
                self.masked(a.lo, mask as u32, value as u32, n, f)
            }
            Cmp::InRange { lo, hi } => {
                if lo > hi {
                    return f;
                }
                let n = self.gt(a, hi, f, t);
                self.ge(a, lo, n, f)
            }
            Cmp::AnyOf(vs) => self.set(a, Values::Slice(vs), t, f),
            Cmp::AllSet(bits) => {
                let n = if a.wide {
                    self.all_set(a.hi, half_hi(bits), t, f)
                } else {
                    t
                };
                self.all_set(a.lo, bits as u32, n, f)
            }
            Cmp::NoneSet(bits) => {
                let n = if a.wide {
                    self.none_set(a.hi, half_hi(bits), t, f)
                } else {
                    t
                };
                self.none_set(a.lo, bits as u32, n, f)
            }
        }
    }

    /// `A = word; if A <op> k goto t else f`, where the jump skips a load
    /// of the same word at either target.
    const fn test(&mut self, word: u32, op: u16, k: u32, t: u32, f: u32) -> u32 {
        let j = self.jump_with(word, op, k, t, f);
        self.load(word, j, t, f)
    }

    /// A jump taken while A holds `word` (or [`UNKNOWN`]).
    const fn jump_with(&mut self, word: u32, op: u16, k: u32, t: u32, f: u32) -> u32 {
        let (t, f) = if word == UNKNOWN {
            (t, f)
        } else {
            (self.e.skip_load(t, word), self.e.skip_load(f, word))
        };
        self.e.jump(op, k, t, f)
    }

    /// `A = word` before node `j`, unless `j` is one of the targets
    /// (the test folded away, so the load is not needed).
    const fn load(&mut self, word: u32, j: u32, t: u32, f: u32) -> u32 {
        if j == t || j == f {
            return j;
        }
        self.e.stmt(LD | W | ABS, word, j)
    }

    const fn eq(&mut self, a: Arg, v: u64, t: u32, f: u32) -> u32 {
        let n = if a.wide {
            self.test(a.hi, JEQ, half_hi(v), t, f)
        } else {
            t
        };
        self.test(a.lo, JEQ, v as u32, n, f)
    }

    /// `a > v`: the diagram in the module docs.
    const fn gt(&mut self, a: Arg, v: u64, t: u32, f: u32) -> u32 {
        if !a.wide {
            return self.test(a.lo, JGT, v as u32, t, f);
        }
        let (vh, vl) = (half_hi(v), v as u32);
        if vl == u32::MAX {
            // a > (vh, max) exactly when ah > vh.
            return self.test(a.hi, JGT, vh, t, f);
        }
        let low = self.test(a.lo, JGT, vl, t, f);
        let same = self.jump_with(a.hi, JEQ, vh, low, f);
        let j = self.jump_with(a.hi, JGT, vh, t, same);
        self.load(a.hi, j, t, f)
    }

    /// `a >= v`.
    const fn ge(&mut self, a: Arg, v: u64, t: u32, f: u32) -> u32 {
        if v == 0 {
            return t;
        }
        if !a.wide {
            return self.test(a.lo, JGE, v as u32, t, f);
        }
        let (vh, vl) = (half_hi(v), v as u32);
        if vl == 0 {
            return self.test(a.hi, JGE, vh, t, f);
        }
        let low = self.test(a.lo, JGE, vl, t, f);
        let same = self.jump_with(a.hi, JEQ, vh, low, f);
        let j = self.jump_with(a.hi, JGT, vh, t, same);
        self.load(a.hi, j, t, f)
    }

    /// `(word & m) == v` for one half.
    const fn masked(&mut self, word: u32, m: u32, v: u32, t: u32, f: u32) -> u32 {
        if m == 0 {
            return t; // v is 0 here: checked by the caller
        }
        if m == u32::MAX {
            return self.test(word, JEQ, v, t, f);
        }
        let j = self.e.jump(JEQ, v, t, f);
        if j == t || j == f {
            return j;
        }
        let and = self.e.stmt(ALU | AND | K, m, j);
        self.e.stmt(LD | W | ABS, word, and)
    }

    const fn all_set(&mut self, word: u32, bits: u32, t: u32, f: u32) -> u32 {
        if bits == 0 {
            return t;
        }
        if bits.is_power_of_two() {
            return self.test(word, JSET, bits, t, f);
        }
        self.masked(word, bits, bits, t, f)
    }

    const fn none_set(&mut self, word: u32, bits: u32, t: u32, f: u32) -> u32 {
        if bits == 0 {
            return t;
        }
        self.test(word, JSET, bits, f, t)
    }

    /// `a` is one of the values of rules `arg_rules[start..end]` (each one
    /// equality or set condition on the same argument).
    const fn any_of(
        &mut self,
        a: Arg,
        rules: &[Rule<'_>],
        start: usize,
        end: usize,
        t: u32,
        f: u32,
    ) -> u32 {
        self.set(a, Values::Rules { rules, start, end }, t, f)
    }

    /// Membership in a set of values, grouped by high word.
    const fn set(&mut self, a: Arg, vals: Values<'_, '_>, t: u32, f: u32) -> u32 {
        let n = vals.len(self.arg_rules);
        if !a.wide {
            let mut node = f;
            let mut i = n;
            while i > 0 {
                i -= 1;
                let v = vals.get(self.arg_rules, i) as u32;
                if !vals.seen_low(self.arg_rules, i, v) {
                    node = self.jump_with(a.lo, JEQ, v, t, node);
                }
            }
            return self.load(a.lo, node, t, f);
        }
        // For each distinct high word (last first): the low-word chain.
        let mut outer = f;
        let mut i = n;
        while i > 0 {
            i -= 1;
            let h = half_hi(vals.get(self.arg_rules, i));
            if vals.seen_high(self.arg_rules, i, h) {
                continue;
            }
            let mut inner = f;
            let mut j = n;
            while j > 0 {
                j -= 1;
                let v = vals.get(self.arg_rules, j);
                if half_hi(v) == h && !vals.seen_full(self.arg_rules, j, v) {
                    inner = self.jump_with(a.lo, JEQ, v as u32, t, inner);
                }
            }
            let inner = self.load(a.lo, inner, t, f);
            outer = self.jump_with(a.hi, JEQ, h, inner, outer);
        }
        self.load(a.hi, outer, t, f)
    }
}

/// The values of a set test: one slice, or the equality values of a run
/// of rules.
#[derive(Clone, Copy)]
enum Values<'r, 'a> {
    Slice(&'a [u64]),
    Rules {
        rules: &'r [Rule<'a>],
        start: usize,
        end: usize,
    },
}

impl Values<'_, '_> {
    const fn len(&self, idx: &[u16]) -> usize {
        match *self {
            Values::Slice(s) => s.len(),
            Values::Rules { rules, start, end } => {
                let mut n = 0;
                let mut i = start;
                while i < end {
                    n += match rules[idx[i] as usize].conds[0].cmp {
                        Cmp::AnyOf(vs) => vs.len(),
                        _ => 1,
                    };
                    i += 1;
                }
                n
            }
        }
    }

    const fn get(&self, idx: &[u16], mut k: usize) -> u64 {
        match *self {
            Values::Slice(s) => s[k],
            Values::Rules { rules, start, end } => {
                let mut i = start;
                while i < end {
                    match rules[idx[i] as usize].conds[0].cmp {
                        Cmp::AnyOf(vs) => {
                            if k < vs.len() {
                                return vs[k];
                            }
                            k -= vs.len();
                        }
                        Cmp::Eq(v) => {
                            if k == 0 {
                                return v;
                            }
                            k -= 1;
                        }
                        _ => {}
                    }
                    i += 1;
                }
                0
            }
        }
    }

    /// Whether a value before `k` has the same low word `v`.
    const fn seen_low(&self, idx: &[u16], k: usize, v: u32) -> bool {
        let mut i = 0;
        while i < k {
            if self.get(idx, i) as u32 == v {
                return true;
            }
            i += 1;
        }
        false
    }

    const fn seen_high(&self, idx: &[u16], k: usize, h: u32) -> bool {
        let mut i = 0;
        while i < k {
            if half_hi(self.get(idx, i)) == h {
                return true;
            }
            i += 1;
        }
        false
    }

    const fn seen_full(&self, idx: &[u16], k: usize, v: u64) -> bool {
        let mut i = 0;
        while i < k {
            if self.get(idx, i) == v {
                return true;
            }
            i += 1;
        }
        false
    }
}

/// Rule `a` is tested before rule `b`.
const fn precedes(rules: &[Rule<'_>], a: usize, b: usize) -> bool {
    let (ka, kb) = (
        rules[a].action.precedence_key(),
        rules[b].action.precedence_key(),
    );
    ka < kb || (ka == kb && a < b)
}

const fn same_conds(a: &Rule<'_>, b: &Rule<'_>) -> bool {
    if a.conds.len() != b.conds.len() {
        return false;
    }
    let mut i = 0;
    while i < a.conds.len() {
        if !a.conds[i].same(&b.conds[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `a` can be tested in one set with `b`: same action, one
/// equality-like condition each, on the same argument and width.
const fn mergeable(a: &Rule<'_>, b: &Rule<'_>, p: &Policy<'_>) -> bool {
    if a.conds.len() != 1 || b.conds.len() != 1 {
        return false;
    }
    if p.effective(a.action).to_ret() != p.effective(b.action).to_ret() {
        return false;
    }
    let (x, y) = (a.conds[0], b.conds[0]);
    x.arg == y.arg && x.width as u8 == y.width as u8 && is_set_like(&x) && is_set_like(&y)
}

const fn is_set_like(c: &Cond<'_>) -> bool {
    matches!(c.cmp, Cmp::Eq(_) | Cmp::AnyOf(_))
}

const fn arg_of(c: &Cond<'_>, order: crate::ByteOrder, wide_abi: bool) -> Arg {
    let i = if c.arg > 5 { 5 } else { c.arg };
    Arg {
        lo: data::arg_lo(i, order),
        hi: data::arg_hi(i, order),
        wide: wide_abi && matches!(c.width, crate::policy::Width::Full64),
    }
}
