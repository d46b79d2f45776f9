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

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_svg() {
        let svg = super::svg("SSP1:u1:12345678", 200).unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
    }
}
