//! Random policies for the differential and kernel tests: an owned policy
//! description ([`Spec`]) that lends a [`Policy`], a small deterministic
//! PRNG to draw them, and the call arguments worth trying on one.
#![allow(dead_code)]

use seccomp_bpf::policy::{Cmp, Cond, Policy, Rule, Target, Width};
use seccomp_bpf::{Abi, Action, Syscall};

/// splitmix64: deterministic, seedable, good enough to draw test cases.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// A comparison, owning its `AnyOf` set.
#[derive(Clone, Debug, PartialEq)]
pub enum CmpS {
    Eq(u64),
    Ne(u64),
    Lt(u64),
    Le(u64),
    Gt(u64),
    Ge(u64),
    MaskedEq(u64, u64),
    InRange(u64, u64),
    AnyOf(Vec<u64>),
    AllSet(u64),
    NoneSet(u64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct CondS {
    pub arg: u8,
    pub low32: bool,
    pub cmp: CmpS,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TargetS {
    Sys(Syscall),
    Nr(Abi, u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleS {
    pub target: TargetS,
    pub conds: Vec<CondS>,
    pub action: Action,
}

/// An owned policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub default: Action,
    pub bad_arch: Action,
    pub abis: Vec<Abi>,
    pub log_mode: bool,
    pub rules: Vec<RuleS>,
}

impl CondS {
    fn cond<'a>(&'a self) -> Cond<'a> {
        let cmp = match &self.cmp {
            CmpS::Eq(v) => Cmp::Eq(*v),
            CmpS::Ne(v) => Cmp::Ne(*v),
            CmpS::Lt(v) => Cmp::Lt(*v),
            CmpS::Le(v) => Cmp::Le(*v),
            CmpS::Gt(v) => Cmp::Gt(*v),
            CmpS::Ge(v) => Cmp::Ge(*v),
            CmpS::MaskedEq(m, v) => Cmp::MaskedEq {
                mask: *m,
                value: *v,
            },
            CmpS::InRange(lo, hi) => Cmp::InRange { lo: *lo, hi: *hi },
            CmpS::AnyOf(vs) => Cmp::AnyOf(vs),
            CmpS::AllSet(v) => Cmp::AllSet(*v),
            CmpS::NoneSet(v) => Cmp::NoneSet(*v),
        };
        Cond {
            arg: self.arg,
            width: if self.low32 {
                Width::Low32
            } else {
                Width::Full64
            },
            cmp,
        }
    }

    /// The constants worth probing around.
    pub fn constants(&self) -> Vec<u64> {
        match &self.cmp {
            CmpS::Eq(v) | CmpS::Ne(v) | CmpS::Lt(v) | CmpS::Le(v) | CmpS::Gt(v) | CmpS::Ge(v) => {
                vec![*v]
            }
            CmpS::AllSet(v) | CmpS::NoneSet(v) => vec![*v, !*v, v & v.wrapping_sub(1), 0],
            CmpS::MaskedEq(m, v) => vec![*v, v | !m, v ^ (m & m.wrapping_neg())],
            CmpS::InRange(lo, hi) => vec![*lo, *hi],
            CmpS::AnyOf(vs) => vs.clone(),
        }
    }
}

impl Spec {
    /// Builds the policy and hands it to `f`.
    pub fn with_policy<R>(&self, f: impl FnOnce(&Policy<'_>) -> R) -> R {
        let conds: Vec<Vec<Cond<'_>>> = self
            .rules
            .iter()
            .map(|r| r.conds.iter().map(CondS::cond).collect())
            .collect();
        let rules: Vec<Rule<'_>> = self
            .rules
            .iter()
            .zip(&conds)
            .map(|(r, c)| Rule {
                target: match r.target {
                    TargetS::Sys(s) => Target::Syscall(s),
                    TargetS::Nr(abi, nr) => Target::Nr { abi, nr },
                },
                conds: c,
                action: r.action,
            })
            .collect();
        let p = Policy::new(self.default, &self.abis, &rules)
            .bad_arch(self.bad_arch)
            .log_mode(self.log_mode);
        f(&p)
    }

    /// The number rule `r` has on `abi`.
    pub fn nr_of(&self, r: &RuleS, abi: Abi) -> Option<u32> {
        match r.target {
            TargetS::Sys(s) => s.nr(abi),
            TargetS::Nr(a, nr) => (a == abi).then_some(nr),
        }
    }

    /// Every `(arg, constant)` of the rules on `nr` of `abi`.
    pub fn constants(&self, abi: Abi, nr: u32) -> Vec<(u8, u64)> {
        let mut out = Vec::new();
        for r in &self.rules {
            if self.nr_of(r, abi) != Some(nr) {
                continue;
            }
            for c in &r.conds {
                for v in c.constants() {
                    out.push((c.arg, v));
                }
            }
        }
        out
    }

    /// Argument vectors around the constants of the rules on `nr`: each
    /// constant, one off either way, under other high words, and with the
    /// call's other constants in place; plus all zero and all ones.
    pub fn probes(&self, abi: Abi, nr: u32) -> Vec<[u64; 6]> {
        let consts = self.constants(abi, nr);
        let mut sets = vec![[0u64; 6], [u64::MAX; 6]];
        let mut all = [0u64; 6];
        for &(arg, c) in &consts {
            all[arg as usize] = c;
        }
        sets.push(all);
        for &(arg, c) in &consts {
            for v in [
                c,
                c.wrapping_sub(1),
                c.wrapping_add(1),
                c ^ 0xffff_ffff_0000_0000,
                c ^ 0x1_0000_0000,
                c & 0xffff_ffff,
            ] {
                let mut a = [0u64; 6];
                a[arg as usize] = v;
                sets.push(a);
                let mut b = all;
                b[arg as usize] = v;
                sets.push(b);
            }
        }
        sets.sort_unstable();
        sets.dedup();
        sets
    }
}

/// What [`draw`] may put in a policy.
#[derive(Clone, Debug)]
pub struct Shape {
    /// ABI sets to choose from.
    pub abi_sets: Vec<Vec<Abi>>,
    /// Calls rules may name.
    pub calls: Vec<Syscall>,
    /// Also rules on raw numbers of the policy's ABIs.
    pub raw_numbers: bool,
    /// Actions rules and the default may have.
    pub actions: Vec<Action>,
    /// Comparison kinds allowed (indexes: 0 Eq, 1 Ne, 2 Lt, 3 Le, 4 Gt,
    /// 5 Ge, 6 MaskedEq, 7 InRange, 8 AnyOf, 9 AllSet, 10 NoneSet).
    pub cmps: Vec<u8>,
    /// Whether `Width::Low32` conditions may appear.
    pub low32: bool,
    /// At most one condition per argument in a rule.
    pub distinct_args: bool,
    /// All rules on one call have the same action (no precedence needed).
    pub one_action_per_call: bool,
    /// Only 32-bit constants when x32 is one of the ABIs.
    pub narrow_x32: bool,
    /// No argument is tested by two rules on one call.
    pub disjoint_args_per_call: bool,
    pub max_rules: usize,
    pub max_conds: usize,
}

/// A constant: small, near a power of two, a 32-bit word or a full
/// 64-bit value (when `wide`).
fn value(rng: &mut Rng, wide: bool) -> u64 {
    let v = match rng.below(6) {
        0 => rng.below(8) as u64,
        1 => 1u64 << rng.below(if wide { 64 } else { 32 }),
        2 => (1u64 << rng.below(if wide { 64 } else { 32 })).wrapping_sub(1),
        3 => rng.next() & 0xffff_ffff,
        4 => rng.next() & 0xff,
        _ => rng.next(),
    };
    if wide { v } else { v & 0xffff_ffff }
}

fn cmp(rng: &mut Rng, kind: u8, wide: bool) -> CmpS {
    let mut v = || value(rng, wide);
    match kind {
        0 => CmpS::Eq(v()),
        1 => CmpS::Ne(v()),
        2 => CmpS::Lt(v()),
        3 => CmpS::Le(v()),
        4 => CmpS::Gt(v()),
        5 => CmpS::Ge(v()),
        6 => {
            let m = v();
            let x = v();
            // Mostly a value inside the mask, sometimes not.
            CmpS::MaskedEq(m, if x % 4 == 0 { x } else { x & m })
        }
        7 => {
            let (a, b) = (v(), v());
            CmpS::InRange(a.min(b), a.max(b))
        }
        8 => {
            let n = (v() % 4) as usize;
            CmpS::AnyOf((0..n).map(|_| v()).collect())
        }
        9 => CmpS::AllSet(v()),
        _ => CmpS::NoneSet(v()),
    }
}

/// A random policy of the given shape.
pub fn draw(rng: &mut Rng, shape: &Shape) -> Spec {
    let abis = shape.abi_sets[rng.below(shape.abi_sets.len())].clone();
    let wide = abis
        .iter()
        .all(|&a| a.word_bits() == 64 && !(shape.narrow_x32 && a == Abi::X32));
    let default = rng.pick(&shape.actions);
    let mut rules: Vec<RuleS> = Vec::new();
    let n = rng.below(shape.max_rules + 1);
    // Calls from a small window of the pool, so that rules overlap.
    let window = shape.calls.len().min(3 + n);
    let start = rng.below(shape.calls.len() - window + 1);
    let calls = &shape.calls[start..start + window];
    for _ in 0..n {
        let target = if shape.raw_numbers && rng.chance(10) {
            let abi = rng.pick(&abis);
            let nr = abi.syscall_base().wrapping_add(rng.below(600) as u32);
            TargetS::Nr(abi, nr)
        } else {
            TargetS::Sys(rng.pick(calls))
        };
        let mut action = rng.pick(&shape.actions);
        if shape.one_action_per_call {
            if let Some(r) = rules.iter().find(|r| r.target == target) {
                action = r.action;
            }
        }
        let mut conds: Vec<CondS> = Vec::new();
        for _ in 0..rng.below(shape.max_conds + 1) {
            let arg = rng.below(6) as u8;
            if shape.distinct_args && conds.iter().any(|c| c.arg == arg) {
                continue;
            }
            if shape.disjoint_args_per_call
                && rules
                    .iter()
                    .any(|r| r.target == target && r.conds.iter().any(|c| c.arg == arg))
            {
                continue;
            }
            let low32 = shape.low32 && rng.chance(25);
            let kind = rng.pick(&shape.cmps);
            conds.push(CondS {
                arg,
                low32,
                cmp: cmp(rng, kind, wide && !low32),
            });
        }
        rules.push(RuleS {
            target,
            conds,
            action,
        });
    }
    Spec {
        default,
        bad_arch: rng.pick(&shape.actions),
        abis,
        log_mode: false,
        rules,
    }
}
