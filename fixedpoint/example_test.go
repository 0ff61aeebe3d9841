package fixedpoint_test

import (
	"fmt"

	"kd2fpga/fixedpoint"
)

func ExampleFormat_Quantize() {
	f, _ := fixedpoint.ParseFormat("ap_fixed<8,3,AP_RND_CONV,AP_SAT>")
	for _, x := range []float64{1.3, -9} {
		raw, st := f.Quantize(x)
		fmt.Println(x, raw, f.Text(raw), st)
	}
	// Output:
	// 1.3 42 1.3125 inexact
	// -9 -128 -4 saturated
}

func ExampleCaster() {
	// a product of ap_fixed<8,2> by ap_fixed<16,6> into a 24-bit
	// accumulator: 16 fractional bits become 12
	prod := fixedpoint.MulFormat(fixedpoint.Fixed(8, 2), fixedpoint.Fixed(16, 6))
	acc := fixedpoint.Fixed(24, 12)
	c := fixedpoint.NewCaster(prod, acc)
	raw, st := c.Cast(-0x12345)
	fmt.Println(prod, "->", acc, c.Exact(), raw, st)
	// Output:
	// ap_fixed<24,8> -> ap_fixed<24,12> false -4661 inexact
}

func ExampleValue() {
	// the product of two 64-bit values needs 128 bits
	var x, y, z fixedpoint.Value
	x.SetRaw(fixedpoint.Fixed(64, 32), -1<<62) // -2^30
	y.SetRaw(fixedpoint.Fixed(64, 32), 3<<31)  // 1.5
	z.Mul(&x, &y)
	fmt.Println(z.Format(), z.Text())
	// Output:
	// ap_fixed<128,64> -1610612736
}
