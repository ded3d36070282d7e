module github.com/skyswitch/skyswitch

go 1.26.0

require (
	github.com/adrg/xdg v0.5.3 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
