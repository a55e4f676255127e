package main

import (
	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/output"
)

// ocsfProduct is metadata.product of the OCSF findings.
func ocsfProduct() output.OCSFProduct {
	return output.OCSFProduct{Name: "faultline", VendorName: "faultline", Version: version}
}

// checkTexts are every registered check's description and remediation.
var checkTexts = func() map[string]output.CheckText {
	m := map[string]output.CheckText{}
	for _, a := range analysers.All {
		for _, c := range a.Checks {
			m[c.ID] = output.CheckText{Description: c.Description, Remediation: c.Remediation}
		}
	}
	return m
}()

// checkText is a check's text ("" for an unknown ID).
func checkText(id string) output.CheckText { return checkTexts[id] }
