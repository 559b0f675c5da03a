module tamix

go 1.26.0

require (
	github.com/usbarmory/tamago v1.26.0
	golang.org/x/arch v0.32.0
)
