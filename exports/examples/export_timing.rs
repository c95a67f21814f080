fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let t =
        topoplan_core::generate::synthetic(&topoplan_core::generate::SyntheticSpec::with_nodes(n));
    for _ in 0..3 {
        let (wall, cpu) = (std::time::Instant::now(), cpu_ns());
        let e = topoplan_exports::terraform::export(&t, &Default::default()).unwrap();
        let (w, c) = (wall.elapsed(), cpu_ns() - cpu);
        drop(e);
        eprintln!("export wall {w:?} cpu {:.3}s", c as f64 / 1e9);
    }
    if std::env::var_os("COUNTS").is_some() {
        let e = topoplan_exports::terraform::export(&t, &Default::default()).unwrap();
        let mut m = std::collections::BTreeMap::new();
        for r in e.resources() {
            *m.entry(r.address.rsplit_once('.').unwrap().0.to_owned())
                .or_insert(0) += 1;
        }
        let mut v: Vec<_> = m.into_iter().collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
        for (k, n) in v.iter().take(25) {
            eprintln!("{n:7} {k}");
        }
        eprintln!("warnings {}", e.warnings().len());
    }
}
#[allow(dead_code)]
fn counts() {}
