# Applied first; changed.tf is then planned against its state (a configuration no apply has made yet).
resource "terraform_data" "kept" {
  input = "same"
}

resource "terraform_data" "retagged" {
  input = { Name = "before" }
}
