//! `hcx init --region CODE --dir DIR`: makes a region and prints what an operator must
//! do next (the key ceremony, moving client keys, keeping the tokens).

use std::path::Path;

use anyhow::Context as _;

pub(crate) fn init(region: &str, dir: &Path) -> anyhow::Result<()> {
    let r = hcx_node::init::init_region(region, dir)
        .with_context(|| format!("hcx init in {}", dir.display()))?;
    println!(
        "region {} ({}) initialised in {}",
        r.region.code(),
        r.region.name(),
        dir.display()
    );
    println!("  active rule set:        {}", r.rules_file);
    println!(
        "  operational public key: {}   (the anchor for `hcx verify --anchor`)",
        r.operational_key
    );
    println!(
        "  root public key:        {}   (for the charter)",
        r.root_key
    );
    println!();
    println!("bootstrap level-1 admins (tokens are shown once; keep them safe):");
    for a in &r.admins {
        println!(
            "  {}  token {}  signing key {}",
            a.account,
            a.token,
            a.key_file.display()
        );
    }
    println!();
    println!("next:");
    println!(
        "  1. move each admin's signing key to the admin's own device, then delete it from client-keys/"
    );
    println!(
        "  2. key ceremony: hcx keys export-root --dir {} --out <offline media>/root.key",
        dir.display()
    );
    println!(
        "                   hcx keys remove-root --dir {}",
        dir.display()
    );
    println!(
        "  3. review {}/hcx.toml, then: hcx serve --dir {}",
        dir.display(),
        dir.display()
    );
    Ok(())
}
