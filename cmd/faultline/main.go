// Command faultline finds where one Availability Zone failure will hurt an
// AWS estate.
package main

import "os"

func main() {
	os.Exit(int(runApp(os.Args, os.Stdout, os.Stderr)))
}
