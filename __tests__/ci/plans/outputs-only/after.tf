# Only an output changes and one is added: no resource changes.
resource "terraform_data" "kept" {
  input = "same"
}

output "version" {
  value = "2"
}

output "added" {
  value = "new"
}
