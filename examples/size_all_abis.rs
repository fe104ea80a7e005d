//! Binary-size probe: looks calls up on every ABI, chosen at run time.
//!
//! `cargo run --release --example size_all_abis -- openat 257` prints each
//! name's number and each number's name on every ABI. Compare the stripped
//! binary with `size_one_abi` (see the `syscall` module docs).

use seccomp_bpf::{Abi, Syscall};

fn main() {
    for arg in std::env::args().skip(1) {
        for &abi in Abi::ALL {
            let found = match arg.parse::<u32>() {
                Ok(nr) => Syscall::from_nr(abi, nr).map(|call| call.to_string()),
                Err(_) => Syscall::from_name(&arg)
                    .and_then(|call| call.nr(abi))
                    .map(|nr| nr.to_string()),
            };
            println!("{abi} {arg}: {}", found.as_deref().unwrap_or("absent"));
        }
    }
}
