//! The instruction emitter: builds a program backwards, from its last
//! instruction to its first, and hash-conses every instruction so that
//! identical tails and RETs exist once.
//!
//! A node is named by its distance from the end of the program (`1` is the
//! last instruction). Building backwards means every jump target exists
//! when the jump is emitted, so every offset is known at once:
//!
//! ```text
//!   distance   instruction
//!      d       jeq k, jt, jf      jt = d - 1 - t,  jf = d - 1 - f
//!      ...
//!      t       <true target>
//!      f       <false target>
//!      1       ret ...
//! ```
//!
//! A conditional jump reaches at most 255 instructions ahead. A farther
//! target that is a RET is copied next to the jump; any other gets a JA
//! (32-bit offset) next to the jump. Offsets are never truncated.

use crate::bpf::SockFilter;
use crate::bpf::op::*;

/// Slots of the hash-consing table (a power of two).
pub(crate) const HASH: usize = 4096;

/// The emitter. `out[N - d]` holds the node at distance `d`, for `d <= N`;
/// past the capacity the emitter keeps counting (without storing or
/// sharing) so that the error can say how much is needed.
pub(crate) struct Emitter<'s, const N: usize> {
    pub(crate) out: &'s mut [SockFilter; N],
    /// Number of instructions emitted (may exceed `N`).
    pub(crate) len: u32,
    pub(crate) table: &'s mut [u16; HASH],
}

/// A hash-consing key: the opcode, `k`, and the absolute targets.
#[derive(Clone, Copy)]
struct Key {
    code: u16,
    k: u32,
    a: u32,
    b: u32,
}

const fn key_eq(x: Key, y: Key) -> bool {
    x.code == y.code && x.k == y.k && x.a == y.a && x.b == y.b
}

const fn is_cond_jump(code: u16) -> bool {
    class(code) == JMP && operation(code) != JA
}

impl<const N: usize> Emitter<'_, N> {
    /// The instruction at distance `d`, if stored.
    pub(crate) const fn get(&self, d: u32) -> Option<SockFilter> {
        if d == 0 || d as usize > N {
            return None;
        }
        Some(self.out[N - d as usize])
    }

    /// The key of the stored instruction at `d`.
    const fn key_at(&self, d: u32) -> Option<Key> {
        let ins = match self.get(d) {
            Some(i) => i,
            None => return None,
        };
        let code = ins.code;
        Some(if class(code) == RET {
            Key {
                code,
                k: ins.k,
                a: 0,
                b: 0,
            }
        } else if class(code) == JMP && operation(code) == JA {
            Key {
                code,
                k: 0,
                a: d - 1 - ins.k,
                b: 0,
            }
        } else if is_cond_jump(code) {
            Key {
                code,
                k: ins.k,
                a: d - 1 - ins.jt as u32,
                b: d - 1 - ins.jf as u32,
            }
        } else {
            Key {
                code,
                k: ins.k,
                a: d - 1,
                b: 0,
            }
        })
    }

    const fn slot(key: Key) -> usize {
        let mut h = (key.code as u64) << 48 ^ (key.k as u64);
        h = h.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (key.a as u64) << 20 ^ key.b as u64;
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        (h >> 40) as usize & (HASH - 1)
    }

    /// The most recent node with this key, if any.
    const fn find(&self, key: Key) -> Option<u32> {
        let mut s = Self::slot(key);
        let mut probes = 0;
        while probes < HASH {
            let d = self.table[s] as u32;
            if d == 0 {
                return None;
            }
            if let Some(k) = self.key_at(d) {
                if key_eq(k, key) {
                    return Some(d);
                }
            }
            s = (s + 1) & (HASH - 1);
            probes += 1;
        }
        None
    }

    /// Records node `d` under `key`, replacing an older node with the
    /// same key (so the nearest copy is found). A full table only stops
    /// sharing.
    const fn remember(&mut self, key: Key, d: u32) {
        if d > u16::MAX as u32 || d as usize > N {
            return;
        }
        let mut s = Self::slot(key);
        let mut probes = 0;
        while probes < HASH * 3 / 4 {
            let old = self.table[s] as u32;
            let same = match self.key_at(old) {
                Some(k) => key_eq(k, key),
                None => false,
            };
            if old == 0 || same {
                self.table[s] = d as u16;
                return;
            }
            s = (s + 1) & (HASH - 1);
            probes += 1;
        }
    }

    /// Appends an instruction at the front; returns its distance.
    const fn push(&mut self, ins: SockFilter) -> u32 {
        self.len += 1;
        let d = self.len;
        if d as usize <= N {
            self.out[N - d as usize] = ins;
        }
        d
    }

    /// Emits `ins` unless a node with `key` exists; returns the node.
    const fn intern(&mut self, key: Key, ins: SockFilter) -> u32 {
        if let Some(d) = self.find(key) {
            return d;
        }
        let d = self.push(ins);
        self.remember(key, d);
        d
    }

    /// `return k`.
    pub(crate) const fn ret(&mut self, k: u32) -> u32 {
        self.intern(
            Key {
                code: RET | K,
                k,
                a: 0,
                b: 0,
            },
            SockFilter::stmt(RET | K, k),
        )
    }

    /// Whether node `d` is a RET (and its value).
    const fn ret_value(&self, d: u32) -> Option<u32> {
        match self.get(d) {
            Some(i) if i.code == RET | K => Some(i.k),
            _ => None,
        }
    }

    /// A node equivalent to `t` that a jump emitted next can reach with an
    /// 8-bit offset: `t` itself, the nearest copy of a RET, or a JA.
    const fn near(&mut self, t: u32) -> u32 {
        // The jump will sit at distance len + 1: offset len - t.
        if self.len - t <= 255 {
            return t;
        }
        if let Some(k) = self.ret_value(t) {
            let key = Key {
                code: RET | K,
                k,
                a: 0,
                b: 0,
            };
            if let Some(c) = self.find(key) {
                if self.len - c <= 255 {
                    return c;
                }
            }
            let d = self.push(SockFilter::stmt(RET | K, k));
            self.remember(key, d);
            return d;
        }
        self.ja(t)
    }

    /// `goto t` as a JA placed next (or an existing adjacent one).
    pub(crate) const fn ja(&mut self, t: u32) -> u32 {
        let key = Key {
            code: JMP | JA,
            k: 0,
            a: t,
            b: 0,
        };
        if let Some(d) = self.find(key) {
            if d == self.len {
                return d;
            }
        }
        let off = self.len - t;
        let d = self.push(SockFilter::stmt(JMP | JA, off));
        self.remember(key, d);
        d
    }

    /// `if A <op> k goto t else goto f` (`op` one of JEQ, JGT, JGE, JSET
    /// with K). Equal targets need no jump.
    pub(crate) const fn jump(&mut self, op: u16, k: u32, t: u32, f: u32) -> u32 {
        if t == f {
            return t;
        }
        let code = JMP | op | K;
        if let Some(d) = self.find(Key {
            code,
            k,
            a: t,
            b: f,
        }) {
            return d;
        }
        let t = self.near(t);
        let f = self.near(f);
        // `near(f)` may have pushed a copy after `t` was settled; both
        // stay within reach because each push moves by one.
        let t = self.near(t);
        let d = self.len + 1;
        let jt = (d - 1 - t) as u8;
        let jf = (d - 1 - f) as u8;
        self.intern(
            Key {
                code,
                k,
                a: t,
                b: f,
            },
            SockFilter::jump(code, k, jt, jf),
        )
    }

    /// A non-jump instruction followed by node `next`.
    pub(crate) const fn stmt(&mut self, code: u16, k: u32, next: u32) -> u32 {
        let next = if next == self.len {
            next
        } else {
            self.goto(next)
        };
        self.intern(
            Key {
                code,
                k,
                a: next,
                b: 0,
            },
            SockFilter::stmt(code, k),
        )
    }

    /// A node at the front that continues at `t`: a copy of a RET or of a
    /// near conditional jump, or a JA.
    const fn goto(&mut self, t: u32) -> u32 {
        if let Some(k) = self.ret_value(t) {
            let d = self.push(SockFilter::stmt(RET | K, k));
            self.remember(
                Key {
                    code: RET | K,
                    k,
                    a: 0,
                    b: 0,
                },
                d,
            );
            return d;
        }
        // A copy of a conditional jump whose targets are in reach is as
        // long as a JA and runs one instruction fewer.
        if let Some(ins) = self.get(t) {
            if is_cond_jump(ins.code) {
                let (jt, jf) = (t - 1 - ins.jt as u32, t - 1 - ins.jf as u32);
                let d = self.len + 1;
                if d - 1 - jt <= 255 && d - 1 - jf <= 255 {
                    let (ot, of) = ((d - 1 - jt) as u8, (d - 1 - jf) as u8);
                    let d = self.push(SockFilter::jump(ins.code, ins.k, ot, of));
                    let key = Key {
                        code: ins.code,
                        k: ins.k,
                        a: jt,
                        b: jf,
                    };
                    self.remember(key, d);
                    return d;
                }
            }
        }
        self.ja(t)
    }

    /// The node after `d` if `d` is `A = seccomp_data[offset]` (which a
    /// jump that already has that word in A can skip), else `d`.
    pub(crate) const fn skip_load(&self, d: u32, offset: u32) -> u32 {
        match self.get(d) {
            Some(i) if i.code == LD | W | ABS && i.k == offset && d > 1 => d - 1,
            _ => d,
        }
    }
}
