//! Import benchmark (placeholder until the generator lands in the next commit).

fn main() {}
