package report

import (
	"sort"
	"strings"
)

// Device is an FPGA device and the resources it offers: the denominators
// of the utilization percentages in a report.
type Device struct {
	Name   string // the device part of a part name, "xcvu13p"
	Family string // "Virtex UltraScale+"
	// Resources holds the device's CLB LUTs, CLB flip-flops, DSP slices
	// and 36 Kb block RAM tiles (Carry and LUTRAM are left zero).
	Resources Resources
}

// devices lists the devices kd2fpga knows, from AMD's public product
// tables; the counts are the "Available" figures Vivado reports for them.
// The Alveo cards' devices (xcu200, xcu250, xcu280) carry the same fabric
// as the Virtex parts they are built on.
var devices = []Device{
	{"xcvu3p", "Virtex UltraScale+", Resources{LUT: 394080, FF: 788160, DSP: 2280, BRAM: 720}},
	{"xcvu5p", "Virtex UltraScale+", Resources{LUT: 600577, FF: 1201154, DSP: 3474, BRAM: 1024}},
	{"xcvu7p", "Virtex UltraScale+", Resources{LUT: 788160, FF: 1576320, DSP: 4560, BRAM: 1440}},
	{"xcvu9p", "Virtex UltraScale+", Resources{LUT: 1182240, FF: 2364480, DSP: 6840, BRAM: 2160}},
	{"xcvu11p", "Virtex UltraScale+", Resources{LUT: 1296000, FF: 2592000, DSP: 9216, BRAM: 2016}},
	{"xcvu13p", "Virtex UltraScale+", Resources{LUT: 1728000, FF: 3456000, DSP: 12288, BRAM: 2688}},
	{"xcu200", "Alveo U200 (Virtex UltraScale+)",
		Resources{LUT: 1182240, FF: 2364480, DSP: 6840, BRAM: 2160}},
	{"xcu250", "Alveo U250 (Virtex UltraScale+)",
		Resources{LUT: 1728000, FF: 3456000, DSP: 12288, BRAM: 2688}},
	{"xcu280", "Alveo U280 (Virtex UltraScale+)",
		Resources{LUT: 1303680, FF: 2607360, DSP: 9024, BRAM: 2016}},
	{"xcku15p", "Kintex UltraScale+", Resources{LUT: 522720, FF: 1045440, DSP: 1968, BRAM: 984}},
	{"xcku115", "Kintex UltraScale", Resources{LUT: 663360, FF: 1326720, DSP: 5520, BRAM: 2160}},
	{"xczu7ev", "Zynq UltraScale+", Resources{LUT: 230400, FF: 460800, DSP: 1728, BRAM: 312}},
	{"xczu9eg", "Zynq UltraScale+", Resources{LUT: 274080, FF: 548160, DSP: 2520, BRAM: 912}},
}

// LookupDevice finds the device of a part name such as
// "xcvu9p-flga2104-2L-e" (or Vivado's "xcvu9pflga2104-2L"): the known
// device whose name is the longest prefix of the part, case-insensitive,
// not followed by a digit. It reports false for an unknown device; a
// report then leaves out the percentages and says why.
func LookupDevice(part string) (Device, bool) {
	p := strings.ToLower(strings.TrimSpace(part))
	best := -1
	for i, d := range devices {
		if !strings.HasPrefix(p, d.Name) {
			continue
		}
		if rest := p[len(d.Name):]; rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			continue
		}
		if best < 0 || len(d.Name) > len(devices[best].Name) {
			best = i
		}
	}
	if best < 0 {
		return Device{}, false
	}
	return devices[best], true
}

// Devices returns the known devices sorted by name.
func Devices() []Device {
	ds := append([]Device(nil), devices...)
	sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
	return ds
}
