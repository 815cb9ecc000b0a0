resource "terraform_data" "kept" {
  input = "same"
}

resource "terraform_data" "retagged" {
  input = { Name = "after" }
}

resource "terraform_data" "added" {}
