//! Bytes → a validated document or an error: never a panic, bounded time
//! and memory (libFuzzer's `-rss_limit_mb` and `-timeout` enforce it). A
//! document that loads writes back canonically, reloads to the same
//! topology and writes the same bytes again; a valid one goes through the
//! traffic model and the cost engine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use topoplan_core::model::io::load_bytes;
use topoplan_core::model::json;

fuzz_target!(|data: &[u8]| {
    let Ok(loaded) = load_bytes(data) else {
        return;
    };
    let text = json::to_string(&loaded.topology);
    let again = match json::from_str(&text) {
        Ok(t) => t,
        Err(errors) => panic!("the canonical form does not load back: {errors:?}\n{text}"),
    };
    assert_eq!(
        again, loaded.topology,
        "the canonical form loads back to another topology"
    );
    assert_eq!(
        json::to_string(&again),
        text,
        "the canonical form is not stable"
    );
    if loaded.report.is_ok() {
        let load = topoplan_core::load::Load::compute(&loaded.topology);
        for leg in load.legs() {
            let rps = leg.rates.total();
            assert!(
                rps.is_finite() && rps >= 0.0,
                "a valid document gives a leg of {rps} rps: {leg:?}"
            );
        }
        let _ = topoplan_core::cost::estimate(&loaded.topology);
    }
});
