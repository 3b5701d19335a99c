fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    match poxspec::xml::parse_bytes(&bytes, &Default::default()) {
        Ok(d) => {
            let t = poxspec::xml::write_lossless_text(&d);
            print!("{}", t);
            println!("\n---\n{}", poxspec::xml::write_canonical(&d.root));
            println!("same={}", t.as_bytes() == bytes.as_slice());
        }
        Err(e) => println!("{}", e.with_file(&path)),
    }
}
