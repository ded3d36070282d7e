// Command shrink scales a PNG down by a whole factor, each pixel of the
// result the average of a factor×factor block of the original (a box
// filter), and writes it opaque, at the best compression. screenshots/make
// runs it on freeze's 4× renders: half their size is still sharp on a
// high-density screen, and a quarter of the bytes.
//
//	go run ./screenshots/shrink -factor 2 in.png out.png
package main

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
)

func main() {
	factor := flag.Int("factor", 2, "the whole factor to shrink by")
	flag.Parse()
	if flag.NArg() != 2 || *factor < 1 {
		fmt.Fprintln(os.Stderr, "usage: shrink [-factor N] in.png out.png")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *factor); err != nil {
		fmt.Fprintln(os.Stderr, "shrink:", err)
		os.Exit(1)
	}
}

func run(in, out string, factor int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	src, err := png.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	return errors.Join(enc.Encode(w, shrink(src, factor)), w.Close())
}

// shrink is src scaled down by factor: each pixel the mean of a
// factor×factor block, alpha dropped (the renders are opaque; a
// transparent pixel counts as black). Rows and columns past the last whole
// block are cut.
func shrink(src image.Image, factor int) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()/factor, b.Dy()/factor))
	n := uint32(factor * factor)
	for y := range dst.Rect.Dy() {
		for x := range dst.Rect.Dx() {
			var r, g, bl uint32
			for dy := range factor {
				for dx := range factor {
					c := color.RGBAModel.Convert(src.At(b.Min.X+x*factor+dx, b.Min.Y+y*factor+dy)).(color.RGBA)
					r, g, bl = r+uint32(c.R), g+uint32(c.G), bl+uint32(c.B)
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8((r + n/2) / n), uint8((g + n/2) / n), uint8((bl + n/2) / n), 0xff})
		}
	}
	return dst
}
