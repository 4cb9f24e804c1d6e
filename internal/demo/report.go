//go:build cgo

package demo

// writeReport draws the HTML report of the rows in dir.
func writeReport(dir, path string) (string, error) {
	return "", nil
}
