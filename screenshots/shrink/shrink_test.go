package main

import (
	"image"
	"image/color"
	"testing"
)

// Each pixel of the result is its block's mean, rounded, and opaque; a
// partial block at the edge is cut.
func TestShrinkAveragesEachBlock(t *testing.T) {
	src := image.NewRGBA(image.Rect(10, 20, 15, 22)) // 5×2, not at the origin
	fill := func(x, y int, c color.RGBA) { src.SetRGBA(10+x, 20+y, c) }
	fill(0, 0, color.RGBA{0, 0, 0, 255})
	fill(1, 0, color.RGBA{255, 10, 1, 255})
	fill(0, 1, color.RGBA{255, 20, 0, 255})
	fill(1, 1, color.RGBA{255, 30, 0, 255})
	for y := range 2 {
		fill(2, y, color.RGBA{100, 100, 100, 255})
		fill(3, y, color.RGBA{201, 201, 201, 255}) // a mean of 150.5
		fill(4, y, color.RGBA{9, 9, 9, 255})       // the cut column
	}
	got := shrink(src, 2)
	if got.Rect != image.Rect(0, 0, 2, 1) {
		t.Fatalf("bounds %v, want 2×1 at the origin", got.Rect)
	}
	for x, want := range []color.RGBA{{191, 15, 0, 255}, {151, 151, 151, 255}} {
		if c := got.RGBAAt(x, 0); c != want {
			t.Errorf("pixel %d = %v, want %v", x, c, want)
		}
	}
	if !got.Opaque() {
		t.Error("the result is not opaque")
	}
}
