//! Lowering a policy to a program: per arch, the policy becomes ranges of
//! syscall numbers with one decision each; the ranges become a weighted
//! search tree of JGE/JEQ; the arches become a dispatch on `arch`.

use super::CompileError;
use super::emit::{Emitter, HASH};
use super::{Filter, MAX_LEN};
use crate::abi::{Abi, X32_SYSCALL_BIT};
use crate::bpf::SockFilter;
use crate::bpf::op::*;
use crate::data;
use crate::policy::{Policy, Rule, tri};
use crate::syscall;

/// Rules that may apply to one ABI (the compiler's fixed scratch space).
pub const MAX_RULES_PER_ABI: usize = 1024;
/// Scratch words: raw (number, rule) pairs, then ranges.
const SCRATCH: usize = MAX_RULES_PER_ABI;
/// Rules on one number that depend on arguments, at most.
const MAX_ARG_RULES: usize = 128;
/// Exceptions (single numbers) folded into one range's leaf, at most.
const MAX_EXCEPTIONS: usize = 2;

/// The decision of a range: a RET value, or this tag for "depends on the
/// arguments" (no valid action has the action bits 0x0001_0000).
const ARGS: u32 = 0x0001_0000;

/// One arch's part of the filter: the ABI below the x32 bit and the one at
/// and above it (the same for arches other than x86_64's).
#[derive(Clone, Copy)]
struct Region {
    abi: Option<Abi>,
    lo: u32,
    hi: u32,
}

pub(crate) struct Gen<'s, const N: usize> {
    pub(crate) e: Emitter<'s, N>,
    /// `(lo << 32) | decision` ranges, or `(nr << 32) | rule` while sorting.
    scratch: &'s mut [u64; SCRATCH],
    /// Start index (into `scratch`) of each leaf group of ranges.
    groups: &'s mut [u16; SCRATCH],
    /// Rule indexes for one number's argument code.
    pub(crate) arg_rules: &'s mut [u16; MAX_ARG_RULES],
    regions: [Region; 2],
    n_ranges: usize,
    bad_ret: u32,
}

const fn hi32(x: u64) -> u32 {
    (x >> 32) as u32
}
const fn lo32(x: u64) -> u32 {
    x as u32
}

impl<const N: usize> Gen<'_, N> {
    /// Emits the whole program; returns the distance of its entry.
    pub(crate) const fn program(&mut self, p: &Policy<'_>) -> Result<u32, CompileError> {
        // The whole check first, so that compile and evaluate report the
        // same first error.
        tri!(p.check());
        self.bad_ret = p.bad_arch_action().to_ret();
        let bad = self.e.ret(self.bad_ret);
        // The arches, in the order of their first ABI in the policy.
        let abis = p.abis();
        let mut arches = [0u32; 32];
        let mut n_arch = 0;
        let mut i = 0;
        while i < abis.len() {
            let arch = abis[i].audit_arch();
            let mut seen = false;
            let mut j = 0;
            while j < n_arch {
                if arches[j] == arch {
                    seen = true;
                }
                j += 1;
            }
            if !seen && n_arch < arches.len() {
                arches[n_arch] = arch;
                n_arch += 1;
            }
            i += 1;
        }
        // Build backwards: the last arch's tree first, so the first arch's
        // tree sits right after the dispatch.
        let mut entries = [0u32; 32];
        let mut a = n_arch;
        while a > 0 {
            a -= 1;
            entries[a] = tri!(self.arch(p, arches[a]));
        }
        let mut node = bad;
        let mut a = n_arch;
        while a > 0 {
            a -= 1;
            node = self.e.jump(JEQ, arches[a], entries[a], node);
        }
        Ok(self.e.stmt(LD | W | ABS, data::ARCH, node))
    }

    /// The code for one audit arch: `A = nr`, then the search tree.
    const fn arch(&mut self, p: &Policy<'_>, arch: u32) -> Result<u32, CompileError> {
        if arch == Abi::X86_64.audit_arch() {
            self.regions = [
                Region {
                    abi: present(p, Abi::X86_64),
                    lo: 0,
                    hi: X32_SYSCALL_BIT - 1,
                },
                Region {
                    abi: present(p, Abi::X32),
                    lo: X32_SYSCALL_BIT,
                    hi: u32::MAX,
                },
            ];
        } else {
            let abi = match Abi::from_audit_arch(arch, 0) {
                Some(a) => a,
                None => return Err(CompileError::NoAbi),
            };
            let r = Region {
                abi: Some(abi),
                lo: 0,
                hi: u32::MAX,
            };
            self.regions = [r, r];
        }
        let mut n = tri!(self.ranges(p, self.regions[0], 0));
        if self.regions[1].lo != 0 {
            n = tri!(self.ranges(p, self.regions[1], n));
        }
        self.n_ranges = n;
        let g = self.make_groups(n);
        let root = tri!(self.tree(p, 0, g, g));
        Ok(self.e.stmt(LD | W | ABS, data::NR, root))
    }

    /// Appends the ranges of `r` to `scratch[base..]`; returns the new end.
    const fn ranges(
        &mut self,
        p: &Policy<'_>,
        r: Region,
        base: usize,
    ) -> Result<usize, CompileError> {
        let abi = match r.abi {
            Some(a) => a,
            None => return Ok(self.push_range(base, base, r.lo, self.bad_ret)),
        };
        // 1. (nr, rule) pairs.
        let rules = p.rules();
        let mut n = base;
        let mut i = 0;
        while i < rules.len() {
            if let Some(nr) = tri!(p.check_rule(i, abi)) {
                if nr >= r.lo && nr <= r.hi {
                    if n >= SCRATCH || i > u32::MAX as usize {
                        return Err(CompileError::TooManyRules { abi });
                    }
                    self.scratch[n] = (nr as u64) << 32 | i as u64;
                    n += 1;
                }
            }
            i += 1;
        }
        // 2. Sorted by number, then rule.
        self.heapsort(base, n);
        // 3. One entry per number, with its decision.
        let mut u = base;
        let mut i = base;
        while i < n {
            let nr = hi32(self.scratch[i]);
            let mut j = i + 1;
            while j < n && hi32(self.scratch[j]) == nr {
                j += 1;
            }
            let dec = self.decide(p, i, j);
            self.scratch[u] = (nr as u64) << 32 | dec as u64;
            u += 1;
            i = j;
        }
        let count = u - base;
        // 4. Move them to the end and expand into ranges from `base`:
        //    entry k yields at most two ranges, written at or below
        //    base + 2k + 1, below entry k + 1 at SCRATCH - count + k + 1
        //    as long as base + 2 * count + 1 <= SCRATCH.
        if base + 2 * count + 1 > SCRATCH {
            return Err(CompileError::TooManyRules { abi });
        }
        let from = SCRATCH - count;
        let mut k = count;
        while k > 0 {
            k -= 1;
            self.scratch[from + k] = self.scratch[base + k];
        }
        let default = p.effective(p.default_action()).to_ret();
        let mut out = base;
        let mut cur = r.lo as u64;
        let mut k = 0;
        while k < count {
            let e = self.scratch[from + k];
            let nr = hi32(e) as u64;
            if nr > cur {
                out = self.push_range(base, out, cur as u32, default);
            }
            out = self.push_range(base, out, nr as u32, lo32(e));
            cur = nr + 1;
            k += 1;
        }
        if cur <= r.hi as u64 {
            out = self.push_range(base, out, cur as u32, default);
        }
        Ok(out)
    }

    /// Appends range `[lo, ..)` with `dec` at `out`, merged into the one
    /// before when the decisions are equal constants.
    const fn push_range(&mut self, _base: usize, out: usize, lo: u32, dec: u32) -> usize {
        if out > 0 {
            let prev = lo32(self.scratch[out - 1]);
            if prev == dec && dec != ARGS {
                return out;
            }
        }
        if out < SCRATCH {
            self.scratch[out] = (lo as u64) << 32 | dec as u64;
        }
        out + 1
    }

    /// The decision for one number from its sorted rules `scratch[i..j]`:
    /// a RET value when no argument can change it, else [`ARGS`].
    const fn decide(&self, p: &Policy<'_>, i: usize, j: usize) -> u32 {
        let rules = p.rules();
        // The unconditional rule tested first, if any.
        let mut best: Option<usize> = None;
        let mut k = i;
        while k < j {
            let r = lo32(self.scratch[k]) as usize;
            if rules[r].conds.is_empty() {
                best = match best {
                    Some(b) if !rules[r].action.precedes(rules[b].action) => Some(b),
                    _ => Some(r),
                };
            }
            k += 1;
        }
        let fallback = match best {
            Some(b) => rules[b].action,
            None => p.default_action(),
        };
        let fallback = p.effective(fallback).to_ret();
        let mut k = i;
        while k < j {
            let r = lo32(self.scratch[k]) as usize;
            if !rules[r].conds.is_empty()
                && before(rules, r, best)
                && p.effective(rules[r].action).to_ret() != fallback
            {
                return ARGS;
            }
            k += 1;
        }
        fallback
    }

    const fn heapsort(&mut self, base: usize, end: usize) {
        let n = end - base;
        let mut start = n / 2;
        while start > 0 {
            start -= 1;
            self.sift(base, start, n);
        }
        let mut m = n;
        while m > 1 {
            m -= 1;
            let t = self.scratch[base];
            self.scratch[base] = self.scratch[base + m];
            self.scratch[base + m] = t;
            self.sift(base, 0, m);
        }
    }

    const fn sift(&mut self, base: usize, mut root: usize, n: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= n {
                return;
            }
            if child + 1 < n && self.scratch[base + child + 1] > self.scratch[base + child] {
                child += 1;
            }
            if self.scratch[base + root] >= self.scratch[base + child] {
                return;
            }
            let t = self.scratch[base + root];
            self.scratch[base + root] = self.scratch[base + child];
            self.scratch[base + child] = t;
            root = child;
        }
    }

    const fn lo_of(&self, range: usize) -> u32 {
        hi32(self.scratch[range])
    }
    const fn dec_of(&self, range: usize) -> u32 {
        lo32(self.scratch[range])
    }

    /// Groups the ranges into leaves: a range, plus up to
    /// [`MAX_EXCEPTIONS`] single numbers inside it whose decision differs
    /// (tested with JEQ), when the same decision resumes after each.
    /// Returns the number of groups.
    const fn make_groups(&mut self, n: usize) -> usize {
        let mut g = 0;
        let mut i = 0;
        while i < n {
            self.groups[g] = i as u16;
            g += 1;
            let mut exc = 0;
            while exc < MAX_EXCEPTIONS
                && i + 2 < n
                && self.dec_of(i) != ARGS
                && self.dec_of(i + 2) == self.dec_of(i)
                && self.lo_of(i + 1) as u64 + 1 == self.lo_of(i + 2) as u64
            {
                i += 2;
                exc += 1;
            }
            i += 1;
        }
        g
    }

    /// First number of group `g` (2^32 past the end).
    const fn group_lo(&self, g: usize, n_groups: usize) -> u64 {
        if g < n_groups {
            self.lo_of(self.groups[g] as usize) as u64
        } else {
            1 << 32
        }
    }

    /// Table calls with numbers below `x`, over the arch's ABIs.
    const fn rank(&self, x: u64) -> u64 {
        let mut total = 0;
        let mut r = 0;
        while r < 2 {
            let reg = self.regions[r];
            if let Some(abi) = reg.abi {
                if r == 0 || self.regions[1].lo != 0 {
                    total += count_below(syscall::table(abi), x);
                }
            }
            r += 1;
        }
        total
    }

    /// The weight the tree balances: twice the calls, plus one per group
    /// (which keeps call-free groups from sinking deep).
    const fn weight(&self, gi: usize, gj: usize, ng: usize) -> u64 {
        2 * (self.rank(self.group_lo(gj, ng)) - self.rank(self.group_lo(gi, ng))) + (gj - gi) as u64
    }

    /// The search tree over groups `[gi, gj)`; A holds `nr`.
    const fn tree(
        &mut self,
        p: &Policy<'_>,
        gi: usize,
        gj: usize,
        ng: usize,
    ) -> Result<u32, CompileError> {
        if gj - gi <= 1 {
            return self.leaf(p, gi, ng);
        }
        let total = self.weight(gi, gj, ng);
        // Smallest split k in (gi, gj) whose left part weighs at least half.
        let (mut lo, mut hi) = (gi + 1, gj - 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if 2 * self.weight(gi, mid, ng) >= total {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let mut k = lo;
        if k > gi + 1 {
            let a = 2 * self.weight(gi, k, ng) as i128 - total as i128;
            let b = 2 * self.weight(gi, k - 1, ng) as i128 - total as i128;
            if b.abs() < a.abs() {
                k -= 1;
            }
        }
        let right = tri!(self.tree(p, k, gj, ng));
        let left = tri!(self.tree(p, gi, k, ng));
        let at = self.group_lo(k, ng) as u32;
        Ok(self.e.jump(JGE, at, right, left))
    }

    /// One group: its exceptions as JEQs, then its range's decision.
    const fn leaf(&mut self, p: &Policy<'_>, g: usize, ng: usize) -> Result<u32, CompileError> {
        let s = self.groups[g] as usize;
        let e = if g + 1 < ng {
            self.groups[g + 1] as usize
        } else {
            self.n_ranges
        };
        // Ranges s, s+2, .. e-1 share the decision; s+1, s+3, .. are the
        // single-number exceptions.
        let mut node = tri!(self.decision(p, s));
        let mut x = e - 1;
        while x > s + 1 {
            x -= 2;
            let exc = x + 1;
            let d = tri!(self.decision(p, exc));
            node = self.e.jump(JEQ, self.lo_of(exc), d, node);
        }
        Ok(node)
    }

    /// The node for range `r`'s decision.
    const fn decision(&mut self, p: &Policy<'_>, r: usize) -> Result<u32, CompileError> {
        let dec = self.dec_of(r);
        if dec != ARGS {
            return Ok(self.e.ret(dec));
        }
        let nr = self.lo_of(r);
        let abi = if nr >= self.regions[1].lo && self.regions[1].lo != 0 {
            self.regions[1].abi
        } else {
            self.regions[0].abi
        };
        match abi {
            Some(abi) => self.args(p, abi, nr),
            None => Ok(self.e.ret(self.bad_ret)),
        }
    }
}

const fn present(p: &Policy<'_>, abi: Abi) -> Option<Abi> {
    if p.has_abi(abi) { Some(abi) } else { None }
}

/// Compiles `p` (see [`super::compile`]). The generator is built in place
/// here, not returned from a constructor, so that unoptimized builds do
/// not copy its scratch arrays around the stack.
pub(crate) const fn build<const N: usize>(p: &Policy<'_>) -> Result<Filter<N>, CompileError> {
    // Each array is a local of its own, written in place, and the
    // generator borrows them.
    let mut out = [SockFilter::stmt(0, 0); N];
    let mut table = [0u16; HASH];
    let mut scratch = [0u64; SCRATCH];
    let mut groups = [0u16; SCRATCH];
    let mut arg_rules = [0u16; MAX_ARG_RULES];
    let mut g = Gen::<N> {
        e: Emitter {
            out: &mut out,
            len: 0,
            table: &mut table,
        },
        scratch: &mut scratch,
        groups: &mut groups,
        arg_rules: &mut arg_rules,
        regions: [Region {
            abi: None,
            lo: 0,
            hi: 0,
        }; 2],
        n_ranges: 0,
        bad_ret: 0,
    };
    tri!(g.program(p));
    let len = g.e.len as usize;
    if len > N {
        return Err(CompileError::Capacity {
            capacity: N,
            needed: len,
        });
    }
    // Move [N - len, N) to the front; offsets are relative, so nothing
    // else changes.
    let mut i = 0;
    while i < len {
        out[i] = out[N - len + i];
        i += 1;
    }
    // The hash table is free now; it maps old pcs to new ones.
    let len = drop_unreachable(&mut out, len, &mut table);
    if len > MAX_LEN {
        return Err(CompileError::TooLong { len });
    }
    Ok(Filter { insns: out, len })
}

/// Removes the instructions no path reaches from `prog[..len]` and returns
/// the new length. Sharing builds RETs that every jump later reaches
/// through a nearer copy; they are dead weight, and a kernel-side reader
/// (or `audit`) would rightly call them unreachable. All jumps go forward,
/// so one pass in pc order finds every reachable instruction, and removing
/// instructions only shortens jumps: no offset can overflow.
const fn drop_unreachable<const N: usize>(
    prog: &mut [SockFilter; N],
    len: usize,
    map: &mut [u16; HASH],
) -> usize {
    if len > HASH || len == 0 {
        return len;
    }
    // Pass 1: map[pc] = 1 where some path reaches pc.
    let mut pc = 0;
    while pc < len {
        map[pc] = 0;
        pc += 1;
    }
    map[0] = 1;
    pc = 0;
    while pc < len {
        if map[pc] != 0 {
            let ins = prog[pc];
            let next = pc + 1;
            match class(ins.code) {
                RET => {}
                JMP if operation(ins.code) == JA => mark(map, len, next + ins.k as usize),
                JMP => {
                    mark(map, len, next + ins.jt as usize);
                    mark(map, len, next + ins.jf as usize);
                }
                _ => mark(map, len, next),
            }
        }
        pc += 1;
    }
    // Pass 2: map[pc] = new pc + 1 for the reachable ones.
    let mut kept = 0;
    pc = 0;
    while pc < len {
        if map[pc] != 0 {
            kept += 1;
            map[pc] = kept as u16;
        }
        pc += 1;
    }
    if kept == len {
        return len;
    }
    // Pass 3: move the kept instructions down, re-aiming their jumps. A
    // write lands at or below the pc being read, so nothing unread is lost.
    pc = 0;
    while pc < len {
        if map[pc] != 0 {
            let mut ins = prog[pc];
            let at = map[pc] as usize - 1;
            if class(ins.code) == JMP {
                if operation(ins.code) == JA {
                    ins.k = offset(map, at, pc + 1 + ins.k as usize) as u32;
                } else {
                    ins.jt = offset(map, at, pc + 1 + ins.jt as usize) as u8;
                    ins.jf = offset(map, at, pc + 1 + ins.jf as usize) as u8;
                }
            }
            prog[at] = ins;
        }
        pc += 1;
    }
    kept
}

/// Marks `t` reachable (the emitter only makes in-range jumps; the bound
/// check keeps a mistake from panicking).
const fn mark(map: &mut [u16; HASH], len: usize, t: usize) {
    if t < len {
        map[t] = 1;
    }
}

/// The new offset, from new pc `at`, of a jump to old pc `t` (reachable,
/// so mapped, and after `at`).
const fn offset(map: &[u16; HASH], at: usize, t: usize) -> usize {
    let new_t = if t < HASH { map[t] as usize } else { 0 };
    new_t.saturating_sub(at + 2)
}

/// Whether rule `r` is tested before the unconditional rule `best`.
const fn before(rules: &[Rule<'_>], r: usize, best: Option<usize>) -> bool {
    match best {
        None => true,
        Some(b) => {
            let (kr, kb) = (
                rules[r].action.precedence_key(),
                rules[b].action.precedence_key(),
            );
            kr < kb || (kr == kb && r < b)
        }
    }
}

/// Entries of an ascending table below `x`.
const fn count_below(t: &[(u32, crate::Syscall)], x: u64) -> u64 {
    let (mut lo, mut hi) = (0, t.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if (t[mid].0 as u64) < x {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo as u64
}
