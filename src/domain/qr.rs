//! QR codes as SVG: enrollment codes printed by the admin, station passes shown by riders.

/// `text` as an SVG QR code at least `min_px` wide, with its quiet zone.
pub fn svg(text: &str, min_px: u32) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(min_px, min_px)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// The SVG drawn as pixels: each dark module is a `M{left} {top}h{w}v{h}H{left}V{top}` rectangle of its path.
    fn rasterize(svg: &str) -> (usize, usize, Vec<u8>) {
        let number = |after: &str| -> usize {
            let at = svg.find(after).expect(after) + after.len();
            svg[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap()
        };
        let (w, h) = (number("width=\""), number("height=\""));
        let mut pixels = vec![255u8; w * h];
        let d = &svg[svg.find(" d=\"").expect("a path") + 4..];
        let d = &d[..d.find('"').unwrap()];
        for rect in d.split('M').filter(|r| !r.is_empty()) {
            let nums: Vec<usize> = rect
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect();
            let [left, top, width, height, ..] = nums[..] else {
                panic!("a rectangle: {rect}")
            };
            for y in top..top + height {
                for x in left..left + width {
                    pixels[y * w + x] = 0;
                }
            }
        }
        (w, h, pixels)
    }

    #[test]
    fn the_drawn_code_reads_back_as_its_text() {
        for text in [
            "SSP1:u1:12345678",
            "ABCD-EFGH-JK",
            "https://ssp.example.cn/enroll#ABCDEFGHJK",
        ] {
            let svg = super::svg(text, 200).unwrap();
            assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
            let (w, h, pixels) = rasterize(&svg);
            assert!(w >= 200 && h >= 200, "{w}×{h}");
            let mut image =
                rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
            let grids = image.detect_grids();
            assert_eq!(grids.len(), 1, "one code in the picture of {text}");
            let (_, content) = grids[0].decode().expect("decodes");
            assert_eq!(content, text);
        }
    }
}
