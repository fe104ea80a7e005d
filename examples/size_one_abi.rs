//! Binary-size probe: looks calls up on one ABI, fixed at compile time.
//!
//! `cargo run --release --example size_one_abi -- openat 257` prints the
//! x86_64 number of each name and the name of each number. Compare the
//! stripped binary with `size_all_abis` to see what the other tables cost
//! (see the `syscall` module docs).

use seccomp_bpf::{Abi, Syscall};

fn main() {
    const ABI: Abi = Abi::X86_64;
    for arg in std::env::args().skip(1) {
        let found = match arg.parse::<u32>() {
            Ok(nr) => Syscall::from_nr(ABI, nr).map(|call| call.to_string()),
            Err(_) => Syscall::from_name(&arg)
                .and_then(|call| call.nr(ABI))
                .map(|nr| nr.to_string()),
        };
        println!("{ABI} {arg}: {}", found.as_deref().unwrap_or("absent"));
    }
}
