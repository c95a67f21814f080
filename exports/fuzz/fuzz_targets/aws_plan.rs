//! Documents × arbitrary described accounts → AWS plans that never touch
//! what the topology does not own (untagged resources, another topology's,
//! policies topoplan did not name), never create over a name in use, delete
//! only with `--prune`, are deterministic, survive a saved-plan round trip,
//! and plan nothing against the account they would leave.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use topoplan_exports::aws::saved::SavedPlan;
use topoplan_exports::aws::{DesiredOptions, PlanOptions, desired, plan};

fuzz_target!(|data: &[u8]| {
    let Some((t, rest)) = topoplan_fuzz::document(data) else {
        return;
    };
    let t = topoplan_fuzz::deployable(t);
    let Ok(d) = desired(&t, &DesiredOptions::default()) else {
        // Refused before any account read (sizes AWS cannot take, bad settings).
        return;
    };
    let mut u = Unstructured::new(rest);
    let Ok(o) = topoplan_fuzz::account(&d, &mut u) else {
        return;
    };
    let options = PlanOptions {
        prune: u.arbitrary().unwrap_or(false),
        instance_refresh: u.arbitrary().unwrap_or(false),
    };
    let p = match plan(&d, &o, options) {
        Ok(p) => p,
        Err(problems) => {
            assert!(!problems.is_empty());
            for problem in &problems {
                assert!(!problem.message.is_empty(), "{problem:?}");
            }
            return;
        }
    };
    if let Err(e) = topoplan_fuzz::check_ownership(&d, &o, &p) {
        panic!("{e}");
    }
    assert!(
        plan(&d, &o, options).as_ref() == Ok(&p),
        "plans are not deterministic"
    );
    let saved = SavedPlan::new(p.clone(), o.clone()).to_json();
    let back = SavedPlan::from_json(&saved).expect("a saved plan reads back");
    assert!(back.plan == p, "a saved plan reads back as another plan");
    if let Err(e) = back.check(&d, options, &o) {
        panic!("a plan saved a moment ago does not apply to the same account: {e}");
    }
    // The account an apply leaves plans no change.
    let after = topoplan_fuzz::applied_account(&d);
    match plan(&d, &after, options) {
        Ok(p) => assert!(
            p.is_empty(),
            "re-planning an applied document changes: {:#?}",
            p.changes
        ),
        Err(problems) => panic!("the applied account is refused: {problems:?}"),
    }
});
