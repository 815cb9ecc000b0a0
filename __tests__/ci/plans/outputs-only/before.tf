resource "terraform_data" "kept" {
  input = "same"
}

output "version" {
  value = "1"
}
