package ingress_test

import (
	"fmt"

	"github.com/canonical/istio-ingress-k8s-go/relation/ingress"
)

func Example() {
	// The application bag of a requirer, as the Python library writes it.
	remote := map[string]string{
		"model":        `"mymodel"`,
		"name":         `"myapp"`,
		"port":         `8080`,
		"strip-prefix": `true`,
	}
	req, err := ingress.ParseAppData(remote)
	if err != nil {
		fmt.Println("not ready:", err)
		return
	}
	url := ingress.URL("http", "10.1.2.3", req.Model, req.Name)
	bag, _ := ingress.ServedBag(url)
	fmt.Println(req.Name, req.Port, req.StripPrefix, req.Scheme)
	fmt.Println(bag["ingress"])

	// Output:
	// myapp 8080 true http
	// {"url": "http://10.1.2.3/mymodel-myapp"}
}

func ExampleAppData_Bag() {
	// A Go charm asking for ingress writes the same bag as a Python one.
	bag, _ := ingress.AppData{Request: ingress.Request{
		Model: "mymodel", Name: "myapp", Port: 8080, Scheme: "https",
	}}.Bag()
	fmt.Println(bag["model"], bag["name"], bag["port"], bag["scheme"])

	url, err := ingress.ReadURL(map[string]string{"ingress": `{"url": "https://foo.example.com/mymodel-myapp"}`})
	fmt.Println(url, err)
	// Output:
	// "mymodel" "myapp" 8080 "https"
	// https://foo.example.com/mymodel-myapp <nil>
}

func ExampleParseAppData_error() {
	_, err := ingress.ParseAppData(map[string]string{"model": `"m"`, "name": `"a"`, "port": `70000`})
	fmt.Println(err)
	// Output: port: must be between 1 and 65535
}
