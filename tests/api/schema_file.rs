//! The committed SDL is the contract: it must match what the code produces.

#[test]
fn committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/graphql/schema.graphql"))
        .expect("graphql/schema.graphql exists (generate it with `rectify schema > graphql/schema.graphql`)");
    let produced = rectify::graphql::sdl();
    assert!(
        committed == produced,
        "graphql/schema.graphql is out of date: run `cargo run -- schema > graphql/schema.graphql`"
    );
}
